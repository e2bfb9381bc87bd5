"""Analogies: word arithmetic (3CosAdd / 3CosMul), similarity and odd one out, and the intrinsic benchmarks.

Longer than most pages because it is three tools in tabs; every score comes from engine.analogies and
engine.benchmarks, and this file only lays out widgets and draws the results.
"""

import pandas as pd
import streamlit as st

import app_state
from engine import analogies, benchmark_sets, benchmarks, expressions
from engine.errors import LabError
from pages import _analogy_figures as figures

PRESETS = {  # a relation from the lecture → its Google analogy section
    "gender (family)": "family", "capital – country": "capital-common-countries", "verb tense (past)": "gram7-past-tense",
    "plural": "gram8-plural", "comparative": "gram3-comparative",
}
PRESET_QUESTIONS = 8


@st.cache_resource(show_spinner=False)
def google() -> benchmark_sets.AnalogySet:
    return benchmark_sets.google_analogies()


def fail(error: LabError) -> None:
    st.error(str(error), icon=":material/error:")


def use_preset() -> None:
    """Fill the three analogy boxes with the chosen relation's first question ("—" leaves them as they are)."""
    relation = PRESETS.get(st.session_state["ana_preset"])
    if relation is None:
        return
    a, b, c, _ = google().section(relation).questions[0]
    st.session_state.update(ana_mode="a : b :: c : ?", ana_a=a.lower(), ana_b=b.lower(), ana_c=c.lower())


st.title("Analogies")
st.caption("“Man is to king as woman is to …?” Word vectors answer with arithmetic: king − man + woman lands near "
           "queen. Rank the whole vocabulary by 3CosAdd (the vector offset) or 3CosMul (Levy & Goldberg, 2014), "
           "and measure it on the standard benchmarks.")
embeddings = app_state.pick_embedding_set("Embedding set", key="ana_set")
left, middle, right = st.columns(3)
method = left.radio("Method", list(analogies.METHODS), format_func=analogies.METHODS.get, key="ana_method", horizontal=True)
scope = middle.number_input("Rank only the N most frequent words (0 = all)", 0, len(embeddings), 0, step=10_000, key="ana_restrict",
                            help="Rare words make odd answers; restricting to frequent ones is what benchmarks do.")
top_k = right.slider("Answers to show", 1, 30, 10, key="ana_k")
arithmetic, tools, bench = st.tabs(["Word arithmetic", "Similarity · odd one out", "Benchmarks"])

with arithmetic:
    mode = st.radio("Ask as", ["a : b :: c : ?", "Expression"], key="ana_mode", horizontal=True)
    if mode == "Expression":
        text = st.text_input("Expression", "paris - france + italy", key="ana_expr", max_chars=expressions.MAX_CHARS,
                             help="Words joined by + and -, with optional weights: king - man + woman · 0.5*big + small · 2*(hot - cold) + warm")
    else:
        st.selectbox("Preset relation", ["—", *PRESETS], key="ana_preset", on_change=use_preset)
        boxes = st.columns(3)
        a, b, c = (box.text_input(label, default, key=key) for box, label, default, key in
                   zip(boxes, ["a (man)", "is to b (king)", "as c (woman) is to ?"], ["man", "king", "woman"], ["ana_a", "ana_b", "ana_c"]))
    try:
        question = expressions.parse(text) if mode == "Expression" else analogies.analogy(a, b, c)
        answer = analogies.solve(embeddings, question, method=method, k=top_k, restrict=scope or None)
        picture = analogies.picture(embeddings, answer)
    except LabError as error:
        fail(error)
    else:
        st.success(f"{question} ≈ **{answer.best}**", icon=":material/calculate:")
        table = pd.DataFrame(answer.ranking, columns=["word", "score"])
        table.index = range(1, len(table) + 1)
        table_col, chart_col = st.columns([2, 3])
        table_col.dataframe(table, key="ana_answers", width="stretch", column_config={"score": st.column_config.NumberColumn(format="%.4f")})
        table_col.caption(f"{analogies.METHODS[method]} over {answer.candidates:,} words; the input words are left out.")
        chart_col.plotly_chart(figures.picture_figure(picture, str(question)), key="ana_picture")
    preset = st.session_state.get("ana_preset", "—")
    if mode != "Expression" and preset != "—":
        section = google().section(PRESETS[preset]).spread(PRESET_QUESTIONS)
        report = benchmarks.evaluate_analogies(embeddings, benchmark_sets.AnalogySet(preset, (section,)),
                                               restrict_vocab=scope or len(embeddings), method=method)
        rows = [{"a": q[1], "b": q[2], "c": q[3], "expected": q[4], "answer": q[5], "right": report.right(q)} for q in report.predictions]
        st.caption(f"{len(section.questions)} questions from across the Google section “{section.name}”: "
                   f"{report.correct} of {report.answered} right.")
        st.dataframe(pd.DataFrame(rows), key="ana_preset_table", hide_index=True, width="stretch")

with tools:
    sim_col, odd_col = st.columns(2)
    with sim_col:
        st.subheader("Similarity of two words")
        first, second = (col.text_input(label, value, key=key) for col, label, value, key in
                         zip(st.columns(2), ["First word", "Second word"], ["cat", "dog"], ["ana_sim_a", "ana_sim_b"]))
        try:
            st.metric("Cosine similarity", f"{embeddings.similarity(first, second):.4f}")
        except LabError as error:
            fail(error)
    with odd_col:
        st.subheader("Odd one out")
        words = st.text_input("Words, separated by spaces or commas", "breakfast cereal dinner lunch", key="ana_odd")
        try:
            ranking = analogies.odd_one_out(embeddings, words.replace(",", " ").split())
        except LabError as error:
            fail(error)
        else:
            st.metric("Doesn't match", ranking[-1][0])
            st.plotly_chart(figures.odd_one_out_figure(ranking), key="ana_odd_chart")

with bench:
    st.caption("Google analogies: accuracy of the top answer, gensim's rules (questions with a word outside the N most frequent "
               "are skipped). Word pairs: rank correlation of cosine with human similarity scores.")
    compare = st.checkbox("Compare with a second embedding set", key="ana_compare")
    other = app_state.pick_embedding_set("Second embedding set", key="ana_set_b") if compare else None
    up_left, up_right = st.columns(2)
    analogy_file = up_left.file_uploader("Your analogy file (optional; ': section' lines, then a b c d)", type=["txt"], key="ana_upload_analogies")
    pair_file = up_right.file_uploader("Your word-pair file (optional; word, word, score)", type=["txt", "tsv", "csv"], key="ana_upload_pairs")
    restrict = st.number_input("Words searched (restrict_vocab)", 1, 2_000_000, benchmarks.DEFAULT_RESTRICT, step=50_000, key="ana_bench_restrict")
    if st.button("Run the benchmarks", key="ana_run", type="primary", icon=":material/play_arrow:"):
        try:
            analogy_set = benchmark_sets.read_analogies(analogy_file.getvalue(), analogy_file.name) if analogy_file else google()
            pair_sets = [benchmark_sets.bundled_pairs(name) for name in benchmark_sets.PAIR_FILES]
            pair_sets += [benchmark_sets.read_word_pairs(pair_file.getvalue(), pair_file.name)] if pair_file else []
            bar = st.progress(0.0, text="Scoring…")
            results = []
            for chosen in [embeddings] + ([other] if other is not None else []):
                report = benchmarks.evaluate_analogies(chosen, analogy_set, restrict_vocab=restrict, method=method,
                                                       on_progress=lambda step, total, _m, name=chosen.name: bar.progress(step / total, text=f"{name}: {step}/{total} vocabulary chunks"))
                results.append((report, [benchmarks.evaluate_word_pairs(chosen, pairs, restrict_vocab=restrict) for pairs in pair_sets]))
            bar.empty()
            st.session_state["ana_results"] = results
        except LabError as error:
            fail(error)
    if "ana_results" in st.session_state:
        results = st.session_state["ana_results"]
        # "A · name" and "B · name" when comparing, so a set compared with itself still gets two bars
        names = [f"{'AB'[i]} · {report.embeddings}" if len(results) > 1 else report.embeddings for i, (report, _) in enumerate(results)]
        for column, name, (report, _) in zip(st.columns(len(results)), names, results):
            column.metric(f"{name} · {report.set_name}", f"{report.accuracy:.2%}", border=True)
            column.caption(f"{report.correct:,} of {report.answered:,} right · {report.skipped:,} skipped ({report.oov_rate:.1%} out of "
                           f"vocabulary) · {analogies.METHODS[report.method]} · {report.seconds:.2f} s on {report.device}")
        sections = figures.section_frame(names, [report for report, _ in results])
        st.plotly_chart(figures.sections_figure(sections), key="ana_sections_chart")
        st.dataframe(sections, key="ana_sections", hide_index=True, width="stretch",
                     column_config={"accuracy": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)})
        with st.expander("Questions answered wrongly"):
            wrong = pd.DataFrame([(name, *p) for name, (report, _) in zip(names, results) for p in report.wrong],
                                 columns=["set", "section", "a", "b", "c", "expected", "answer"])
            st.dataframe(wrong, key="ana_wrong", hide_index=True, width="stretch")
        pair_rows = pd.DataFrame([{"set": name, "benchmark": p.set_name, "Spearman": p.spearman, "Pearson": p.pearson,
                                   "pairs used": len(p.used), "OOV rate": p.oov_rate} for name, (_, pairs) in zip(names, results) for p in pairs])
        st.dataframe(pair_rows, key="ana_pairs", hide_index=True, width="stretch",
                     column_config={"OOV rate": st.column_config.NumberColumn(format="percent"), "Spearman": st.column_config.NumberColumn(format="%.4f"),
                                    "Pearson": st.column_config.NumberColumn(format="%.4f")})
        first_pairs = results[0][1]
        shown = st.selectbox("Human scores against cosine for", [p.set_name for p in first_pairs], key="ana_pair_plot")
        st.plotly_chart(figures.pairs_figure(next(p for p in first_pairs if p.set_name == shown)), key="ana_pair_scatter")
