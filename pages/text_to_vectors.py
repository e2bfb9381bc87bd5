"""Text → vectors: the lecture's first half on the user's own sentences, one tab per step.

Longer than most pages because it is six small lessons; each tab function is one step's widgets and charts,
and every number comes from the engine: engine.text (tokens, n-grams), one_hot, hashing_trick, dense_embeddings.
"""


import pandas as pd
import streamlit as st

import app_state
from engine import dense_embeddings, hashing_trick, one_hot, text
from engine.errors import LabError
from pages import _text_figures as figures
from pages._markup import escape_markdown as md

DEFAULT_TEXT = "The cat sat on the mat.\nThe dog ate my homework."
DRAW_SAMPLES, DRAW_ROWS, DRAW_TERMS, DRAW_DOCS, TABLE_ROWS = 3, 60, 50, 30, 200
TABS = ["Tokens", "Bag of n-grams", "One-hot words", "One-hot characters", "Hashing trick", "Dense embeddings"]
INFO = ":material/info:"

st.title("Text → vectors")
st.caption("How a sentence becomes numbers a network can read: tokens, n-grams, one-hot vectors, the hashing trick "
           "and dense embeddings, step by step on your own text. The tabs follow the lecture, left to right.")

left, right = st.columns([3, 2])
raw = left.text_area("Your sentences", DEFAULT_TEXT, height=140, key="ttv_text",
                     help="Each sentence (ending in . ! ? or a line break) is one sample. Ctrl+Enter applies.")
tokenizer = right.selectbox("Tokenizer", list(text.TOKENIZERS), key="ttv_tokenizer",
                            help=" · ".join(f"**{name}**: {what}" for name, what in text.TOKENIZERS.items()))
max_length = right.slider("Maximum length (tokens per sample)", 1, 50, 8, key="ttv_max_length",
                          help="Longer samples are cut; shorter ones are padded with index 0.")
max_words = right.number_input("Keep only the N most frequent words (0 = keep all)", min_value=0, value=0, step=1,
                               key="ttv_max_words")

try:
    corpus = text.prepare_text(raw)
    token_lists = text.tokenize_all(corpus.samples, tokenizer)
    vocabulary = one_hot.build_vocabulary(token_lists, max_words or None)
    ids = vocabulary.encode(token_lists, max_length)  # (samples, max_length)
except LabError as error:
    st.error(str(error), icon=":material/error:")
    st.stop()
for note in corpus.notes:
    st.warning(note, icon=":material/content_cut:")
FIRST = next(i for i, tokens in enumerate(token_lists) if tokens)  # the first sample with any token


def say_capped(shown: int, total: int, what: str) -> None:
    if shown < total:
        st.caption(f"{INFO} Drawing {shown:,} of {total:,} {what} so the chart stays readable.")


def draw_one_hot(sample_ids, hot, labels: list[str], kind: str, max_columns: int) -> None:
    """One heatmap per sample (at most DRAW_SAMPLES); columns and rows capped, with a note when they are."""
    columns, in_use = one_hot.drawn_columns(hot[:DRAW_SAMPLES], max_columns, always=(0,))
    if len(columns) < hot.shape[-1]:
        shown = "every one in use" if len(columns) > in_use else f"{len(columns)} of the {in_use} in use"
        st.caption(f"{INFO} {hot.shape[-1]:,} columns are too many to draw: showing {shown} (and padding, 0).")
    say_capped(min(DRAW_ROWS, hot.shape[1]), hot.shape[1], "positions")
    column_labels = [f"{c} · {labels[c]}" for c in columns]
    for row, sample in enumerate(corpus.samples[: min(DRAW_SAMPLES, hot.shape[0])]):
        positions = [f"{p} · {labels[i] if i else '(pad)'}" for p, i in enumerate(sample_ids[row, :DRAW_ROWS].tolist())]
        grid = hot[row, :DRAW_ROWS][:, columns].cpu().numpy()  # (positions, drawn columns)
        title = f"Sample {row + 1}: “{text.shorten(sample, 32)}” — {kind}"
        st.plotly_chart(figures.one_hot_heatmap(grid, positions, column_labels, title), key=f"ttv_hot_{kind}_{row}")
    say_capped(min(DRAW_SAMPLES, hot.shape[0]), len(corpus.samples), "samples")


def tokens_tab() -> None:
    st.markdown("A **token** is the unit a model sees. Splitting on whitespace keeps `The` and `the` apart and glues "
                "punctuation to words (`mat.`); the standard tokenizer lower-cases and strips punctuation first.")
    table = pd.DataFrame({"sample": corpus.samples,
                          "whitespace split": [text.tokenize(s, "whitespace") for s in corpus.samples],
                          "standard": [text.tokenize(s, "standard") for s in corpus.samples]})
    st.dataframe(table.head(TABLE_ROWS), key="ttv_tokens", hide_index=True,
                 column_config={c: st.column_config.ListColumn(c) for c in ("whitespace split", "standard")})
    say_capped(min(TABLE_ROWS, len(table)), len(table), "samples")
    samples, spaced, standard = st.columns(3)
    samples.metric("Samples", len(corpus.samples))
    spaced.metric("Distinct tokens · whitespace", len({t for ts in table["whitespace split"] for t in ts}))
    standard.metric("Distinct tokens · standard", len({t for ts in table["standard"] for t in ts}))
    if unspaced := text.unspaced_tokens([t for ts in token_lists for t in ts]):
        listed = md(", ".join(text.shorten(token) for token in unspaced))
        st.info(f"Written without spaces, so each of these is one token: {listed}. Real systems use a word "
                "segmenter or subword units (BPE) for such scripts.", icon=":material/translate:")
    if dropped := text.dropped_characters(" ".join(corpus.samples)):
        st.info(f"The standard tokenizer drops these characters: {md(' '.join(dropped))}", icon=":material/filter_alt:")


def ngrams_tab() -> None:
    n = text.check_ngram_size(int(st.number_input("N: bag of 1..N-grams", value=2, step=1, key="ttv_n",
                                                  persist_state="page")))
    tokens, yes_no = token_lists[FIRST], {True: "yes", False: "no"}
    st.markdown(f"Sample {FIRST + 1} as a **sequence** of 1..{n}-grams (order and repeats kept) and as a **set**, a "
                "*bag*: both are gone (listed by first appearance, as in the lecture). A bag-of-n-grams model sees "
                "only the set, with counts.")
    sequence_col, set_col = st.columns(2)
    sequence = text.ngram_sequence(tokens, n)
    sequence_col.code(" → ".join(sequence), language=None, wrap_lines=True)
    set_col.code("{" + ", ".join(f'"{g}"' for g in dict.fromkeys(sequence)) + "}", language=None, wrap_lines=True)
    if n > len(tokens):
        st.caption(f"{INFO} Sample {FIRST + 1} has only {len(tokens)} tokens, so it has no n-grams longer than that.")
    check = text.order_check(tokens, n)
    st.markdown(f"**Shuffle the words** → “{md(' '.join(check.shuffled))}”. Same bag of 1-grams: "
                f"**{yes_no[check.same_unigram_bag]}**; same bag of 1..{n}-grams: **{yes_no[check.same_ngram_bag]}**.")
    if check.only_original and n > 1:
        listed = ", ".join(text.shorten(gram, 40) for gram in check.only_original[:12])
        st.caption("n-grams only the original has: " + md(listed))
    matrix = text.count_matrix(token_lists, n)
    columns, capped = matrix.top_terms(DRAW_TERMS)
    docs = min(DRAW_DOCS, len(corpus.samples))
    counts = matrix.counts[:docs][:, columns].toarray()  # (drawn documents, drawn terms)
    labels = [f"{i + 1}: {text.shorten(s)}" for i, s in enumerate(corpus.samples[:docs])]
    title = f"Document × term counts ({matrix.counts.shape[0]:,} × {matrix.counts.shape[1]:,})"
    st.plotly_chart(figures.count_heatmap(counts, labels, [matrix.terms[c] for c in columns], title), key="ttv_counts")
    if capped:
        st.caption(f"{INFO} Drawing the {len(columns)} most frequent of {len(matrix.terms):,} terms.")
    say_capped(docs, len(corpus.samples), "samples")


def words_tab() -> None:
    shape = (len(token_lists), max_length, len(vocabulary))
    st.markdown(f"Each word gets an index (0 is reserved for padding, 1 for words outside the vocabulary); a sample "
                f"becomes a ({max_length} × {len(vocabulary)}) grid with a single 1 per word.")
    kept = one_hot.samples_within_budget(max_length, len(vocabulary), len(token_lists))
    hot = one_hot.one_hot(ids[:kept], len(vocabulary))  # (kept samples, max_length, vocabulary)
    cells = shape[0] * shape[1] * shape[2]
    st.markdown(f"Tensor **samples × max_length × vocabulary = {shape}**: {cells:,} numbers "
                f"({one_hot.human_bytes(one_hot.FLOAT_BYTES * cells)} as float32), of which {int((ids != 0).sum()):,} are 1.")
    if kept < len(token_lists):
        st.caption(f"{INFO} Built for the first {kept:,} samples only: all of it would not fit the page's budget.")
    if vocabulary.dropped:
        more = " …" if len(vocabulary.dropped) > 15 else ""
        st.warning(f"Capped to the {len(vocabulary) - 2} most frequent words: {len(vocabulary.dropped)} words map to "
                   f"index 1 ({md(one_hot.OOV)}): {md(', '.join(text.shorten(w) for w in vocabulary.dropped[:15]))}{more}",
                   icon=":material/filter_list:")
    vocab_col, ids_col = st.columns([1, 2])
    vocab_col.dataframe(figures.vocabulary_frame(vocabulary), key="ttv_vocab", hide_index=True,
                        height=min(400, 35 * len(vocabulary) + 38))
    ids_col.dataframe(pd.DataFrame(ids[:TABLE_ROWS].cpu().numpy(), columns=[f"pos {p}" for p in range(max_length)],
                                   index=[text.shorten(s) for s in corpus.samples[:TABLE_ROWS]]), key="ttv_ids")
    say_capped(min(TABLE_ROWS, len(corpus.samples)), len(corpus.samples), "rows of ids")
    draw_one_hot(ids, hot, vocabulary.tokens, "word one-hot", max_columns=60)


def chars_tab() -> None:
    length = st.slider("Maximum length (characters per sample)", 1, one_hot.MAX_SEQUENCE_LENGTH, 30,
                       key="ttv_char_length", persist_state="page")
    char_ids, others = one_hot.char_ids(corpus.samples, length)  # (samples, length)
    width = one_hot.OTHER_CHAR + 1
    st.markdown(f"Characters instead of words: a fixed vocabulary of the {len(one_hot.CHARACTERS)} printable ASCII "
                f"characters, plus padding (0) and one column for every other character ({one_hot.OTHER_CHAR}). "
                f"Tensor: **{(len(corpus.samples), length, width)}**.")
    if others:
        st.warning(f"{len(others)} distinct characters are outside printable ASCII and share the single “other” "
                   f"column, so this encoding cannot tell them apart: {md(' '.join(others[:30]))}",
                   icon=":material/translate:")
    kept = one_hot.samples_within_budget(length, width, len(corpus.samples))
    draw_one_hot(char_ids, one_hot.one_hot(char_ids[:kept], width), one_hot.char_labels(), "character one-hot", 110)


def hashing_tab() -> None:
    st.markdown("No vocabulary at all: each token goes to column `hash(token) mod d`. Cheap and open-ended, but two "
                "tokens can land in the same column, and then the model cannot tell them apart.")
    st.caption("The hash is MurmurHash3 (32-bit, seed 0), the one scikit-learn's HashingVectorizer uses. Python's own "
               "`hash()` of a string is salted per process (PYTHONHASHSEED): a word would change bucket after every "
               "restart.")
    dim_col, source_col = st.columns(2)
    dim = int(dim_col.number_input("Dimensionality d", min_value=1, max_value=hashing_trick.MAX_HASH_DIM, value=16, step=1,
                                   key="ttv_hash_dim", persist_state="page"))
    source = source_col.radio("Tokens to hash", ["your tokens", "GloVe's 20,000 most frequent words"],
                              key="ttv_hash_vocab", horizontal=True, persist_state="page")
    tokens = vocabulary.tokens[2:] + vocabulary.dropped if source == "your tokens" else app_state.glove().words[:20_000]
    found = hashing_trick.collisions(tokens, dim)
    n = len(found.buckets)
    distinct, sharing, expected, birthday = st.columns(4)
    distinct.metric("Distinct tokens n", f"{n:,}")
    sharing.metric("Tokens sharing a bucket", f"{found.colliding:,} ({found.rate:.0%})")
    expected.metric("Expected for a random hash", f"{hashing_trick.expected_collision_rate(n, dim):.0%}")
    birthday.metric("P(any collision), birthday", f"{hashing_trick.birthday_probability(n, dim):.0%}")
    st.caption(f"The birthday bound: with n = {n:,} tokens, a collision is more likely than not once d is below "
               f"about n²/(2 ln 2) ≈ {hashing_trick.birthday_dim(n):,.0f}.")
    if found.groups:
        st.dataframe(figures.collisions_frame(found).head(TABLE_ROWS), key="ttv_collisions", hide_index=True,
                     column_config={"tokens sharing it": st.column_config.ListColumn()})
    else:
        st.success(f"No two of these tokens collide at d = {dim:,}.", icon=":material/check_circle:")
    curve = hashing_trick.collision_curve(tokens, hashing_trick.curve_dims(dim, n))
    st.plotly_chart(figures.collision_chart(curve, dim, n), key="ttv_collision_chart")
    st.caption("The measured line is one hash function, so with few tokens it jumps about; the expected line is the "
               "average over all random hash functions.")


def dense_tab() -> None:
    d_col, seed_col = st.columns(2)
    d = d_col.slider("Embedding size d", 2, 128, 8, key="ttv_dim", persist_state="page")
    seed = int(seed_col.number_input("Seed", min_value=0, value=0, step=1, key="ttv_seed", persist_state="page"))
    layer = dense_embeddings.embedding_layer(len(vocabulary), d, seed)
    kept = one_hot.samples_within_budget(max_length, len(vocabulary), len(token_lists))
    check = dense_embeddings.lookup_check(layer, ids[:kept])
    st.markdown(f"`nn.Embedding({len(vocabulary)}, {d}, padding_idx=0)` is a ({len(vocabulary)} × {d}) table W. "
                "A one-hot row times W picks one row of W, so a lookup gives the same numbers without the "
                f"{len(vocabulary)}-wide product.")
    sample = FIRST if FIRST < kept else 0
    row = ids[sample, 0].item()
    token = text.shorten(vocabulary.tokens[row])
    st.dataframe(pd.DataFrame({f"one-hot({token}) @ W": check.product[sample, 0].cpu().numpy(),
                               f"W[{row}]": check.lookup[sample, 0].cpu().numpy()}).T, key="ttv_row_check")
    verdict = "exactly equal" if check.exactly_equal else f"equal within {check.max_abs_difference:.1e}"
    scope = "" if kept == len(token_lists) else f" of the first {kept:,} samples (the one-hot budget)"
    (st.success if check.max_abs_difference < 1e-6 else st.error)(
        f"one-hot(token) @ W equals W[token] for all {check.ids.numel():,} positions{scope}: {verdict} (max "
        f"|difference| = {check.max_abs_difference:.3g}). The product took {check.multiply_adds_product:,} "
        f"multiply-adds; the lookup read {check.values_read_lookup:,} numbers. Output shape (samples, sequence "
        f"length, d) = {(len(token_lists), max_length, d)}.", icon=":material/check_circle:")

    st.subheader("What each representation costs")
    hash_dim = st.select_slider("Hashing dimensionality in this table", [2**k for k in range(4, 21)], 1024,
                                key="ttv_table_hash_dim", persist_state="page")
    rows = dense_embeddings.memory_table(len(vocabulary), hash_dim, d, ids.numel())
    st.dataframe(figures.memory_frame(rows, ids.numel()), key="ttv_memory", hide_index=True,
                 column_config={c: st.column_config.NumberColumn(format="localized")
                                for c in ("values per token", "non-zero per token")})

    st.subheader("Random rows vs pretrained GloVe")
    st.markdown("In one-hot space every two different words have cosine 0: *cat* is as far from *dog* as from "
                "*homework*. Random dense rows are no better, their cosines are noise. Pretrained rows put related "
                "words together.")
    comparison = dense_embeddings.compare_with_glove(vocabulary, layer, app_state.glove())
    if comparison.missing:
        st.caption("Not in GloVe: " + md(", ".join(text.shorten(word) for word in comparison.missing[:20])))
    say_capped(len(comparison.words), comparison.known, "words GloVe knows (the most frequent)")
    columns = st.columns(2)
    for column, which, title in zip(columns, ("random", "glove"), (f"Random nn.Embedding (d = {d}, seed {seed})",
                                                                   "GloVe 6B 50d")):
        matrix = comparison.random_cosines if which == "random" else comparison.glove_cosines
        column.plotly_chart(figures.cosine_heatmap(matrix.cpu().numpy(), comparison.words, title),
                            key=f"ttv_cos_{which}")
        first, second, cosine = comparison.closest_pair(which)
        column.caption(f"Mean cosine between different words {comparison.mean_off_diagonal(which):+.2f}; closest "
                       f"pair {md(first)} · {md(second)} ({cosine:.2f}).")


for tab, draw in zip(st.tabs(TABS, key="ttv_tab", bind="query-params"),
                     (tokens_tab, ngrams_tab, words_tab, chars_tab, hashing_tab, dense_tab)):
    if tab.open:  # only the open tab runs: the page stays fast however many tabs it has
        with tab:
            try:
                draw()
            except LabError as error:
                st.error(str(error), icon=":material/error:")
