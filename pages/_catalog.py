"""The lab's pages, listed once: the router builds its navigation from this, Home its tour."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageEntry:
    path: str
    title: str
    icon: str
    section: str
    url_path: str | None = None  # None: the default page, at the root
    blurb: str | None = None  # the line under the page's card on Home; None: not in the tour


CATALOG = (
    PageEntry("pages/home.py", "Home", ":material/home:", "Start"),
    PageEntry("pages/text_to_vectors.py", "Text → vectors", ":material/text_fields:", "Learn", "text_to_vectors",
              "n-grams, one-hot, the hashing trick, nn.Embedding"),
    PageEntry("pages/embedding_space.py", "Embedding space", ":material/scatter_plot:", "Explore", "embedding_space",
              "PCA, t-SNE and UMAP maps of a vector space"),
    PageEntry("pages/analogies.py", "Analogies", ":material/calculate:", "Explore", "analogies",
              "king − man + woman, and the standard benchmarks"),
    PageEntry("pages/train_word2vec.py", "Train Word2Vec", ":material/model_training:", "Train", "train_word2vec",
              "skip-gram and CBOW on a corpus of your choice"),
    PageEntry("pages/sentiment_lab.py", "Sentiment lab", ":material/sentiment_satisfied:", "Train", "sentiment_lab",
              "six classic PyTorch models, trained and compared"),
    PageEntry("pages/live_sentiment.py", "Live sentiment", ":material/bolt:", "Use", "live_sentiment",
              "your own text through a trained classifier"),
)
