"""Sentiment lab: the six classic PyTorch sentiment models (bentrevett's notebooks), trained and compared.

One job per module, in the notebooks' teaching order:

- `data`       labelled datasets (movie reviews, tweets, BBC News, a user's CSV), validated, with fixed seeded splits
- `vocab`      the tokeniser, bigrams and the word vocabulary (with `<unk>` and `<pad>`)
- `lengths`    how much of a text a model reads: a cap from the data, head + tail past it
- `encoder`    MiniLM's word pieces and its frozen layers' token states, which feed the transformer models
- `state_cache` those states kept in memory and on disk, by a hash of what they depend on
- `batches`    texts → padded, length-bucketed batches for any of the models
- `models`     the six networks and the catalogue that describes them
- `train`      the trainer: progress callbacks, early stopping, best checkpoint, cancellation, fine-tuning
- `estimate`   how long fine-tuning will take on this device, timed from one step
- `evaluate`   accuracy, macro-F1, confusion matrices, and the TF-IDF + logistic regression reference
- `predict`    a trained classifier: texts → labels and probabilities
- `experiment` one model on one dataset, from splits to test scores (what the page and bench run)
- `persist`    classifiers in the model store and back, with identical predictions
- `job`        a comparison as background work for the page, saved only once finished

and, for the Live sentiment page, what uses a stored classifier:

- `ready_defaults` the ready default classifiers, trained once into the store, whoever asks first
- `documents`  a user's text, `.txt` or `.csv` as documents to classify, or refused with a reason
- `scoring`    many documents scored in chunks with progress, and the predictions table
- `gradients`  integrated gradients on a model's embedding layer (Captum), mapped back to words
- `explain`    one prediction explained three ways (occlusion, integrated gradients, KernelSHAP), and the
               deletion curves that show which explanation the model bears out
- `global_view` what a vocabulary model learned over a dataset: class words, and its drift from GloVe
"""
