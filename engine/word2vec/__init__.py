"""Word2Vec in the lab: skip-gram and CBOW, negative sampling and hierarchical softmax.

Two backends take the same `Word2VecParams`: a batched PyTorch implementation that runs on the GPU
when there is one (`train.py`, `model.py`, `batches.py`, `vocab.py`), and gensim, the fastest CPU
path (`gensim_backend.py`). `corpus.py` reads and tokenises corpora, `evaluate.py` scores a model,
`film.py` keeps snapshots while a model trains and plays them back, `job.py` turns a run into
background work that saves a finished model to the store.
"""

from engine.word2vec.config import ARCHITECTURES, BACKENDS, OBJECTIVES, TrainedModel, Word2VecParams
from engine.word2vec.job import train_word2vec, training_work

__all__ = ["ARCHITECTURES", "BACKENDS", "OBJECTIVES", "TrainedModel", "Word2VecParams", "train_word2vec", "training_work"]
