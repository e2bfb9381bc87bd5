"""Benchmark files (engine.benchmark_sets) and evaluation (engine.benchmarks): readers with line-numbered errors,
and results equal to gensim's."""

import numpy as np
import pytest
from gensim.models import KeyedVectors

from engine import benchmark_sets, benchmarks
from engine.errors import LabError
from engine.sources import gensim_test_file
from engine.vectors import EmbeddingSet
from tests.glove_fixtures import glove_fixtures

WORDS, RESTRICT = 30_000, 20_000


glove, keyed = glove_fixtures(WORDS)


@pytest.fixture(scope="module")
def small_google(tmp_path_factory):
    """The first 30 questions of each Google section, as a file gensim can read too."""
    text = []
    for section in benchmark_sets.google_analogies().sections:
        text.append(f": {section.name}")
        text += [" ".join(q) for q in section.questions[:30]]
    path = tmp_path_factory.mktemp("analogies") / "small.txt"
    path.write_text("\n".join(text) + "\n")
    return path


# ---------------------------------------------------------------- readers


def test_google_file_has_its_sections_and_questions():
    google = benchmark_sets.google_analogies()
    assert len(google.sections) == 14
    assert google.size == 19_544
    first = google.sections[0]
    assert first.name == "capital-common-countries"
    assert first.questions[0] == ("Athens", "Greece", "Baghdad", "Iraq")
    assert first.lines[0] == 2


def test_wrong_column_counts_are_reported_with_line_numbers():
    data = b": family\nboy girl brother sister\nboy girl brother\n\nking queen\n"
    with pytest.raises(LabError) as caught:
        benchmark_sets.read_analogies(data, "mine.txt")
    message = str(caught.value)
    assert "mine.txt has 2 malformed lines" in message
    assert "line 3: expected 4 words" in message and "line 5:" in message and "found 2" in message


def test_bytes_that_are_not_utf8_name_their_line():
    data = b": family\nboy girl brother sister\n\xff\xfe girl brother sister\n"
    with pytest.raises(LabError, match="not valid UTF-8 text: line 3"):
        benchmark_sets.read_analogies(data)
    with pytest.raises(LabError, match="not valid UTF-8 text: line 2"):
        benchmark_sets.read_word_pairs(b"cat\tdog\t7\nc\xe9t\tdog\t7\n")


def test_questions_before_a_header_form_their_own_section():
    analogy_set = benchmark_sets.read_analogies(b"# a comment\nboy girl brother sister\n: more\nking queen man woman\n", "mine.txt")
    assert [s.name for s in analogy_set.sections] == ["mine.txt", "more"]
    assert analogy_set.size == 2


def test_an_empty_analogy_file_is_refused():
    with pytest.raises(LabError, match="holds no analogy questions"):
        benchmark_sets.read_analogies(b": empty\n\n")


def test_bundled_word_pair_files_read_completely():
    assert len(benchmark_sets.bundled_pairs("WordSim-353").pairs) == 353
    simlex = benchmark_sets.bundled_pairs("SimLex-999")
    assert len(simlex.pairs) == 999
    assert simlex.pairs[0] == ("old", "new", 1.58)


def test_word_pairs_accept_a_header_and_commas():
    pairs = benchmark_sets.read_word_pairs(b"word1,word2,score\ncat,dog,7.5\nsun,moon,6\ncar,tree,1\n")
    assert pairs.pairs == (("cat", "dog", 7.5), ("sun", "moon", 6.0), ("car", "tree", 1.0))
    assert pairs.lines == (2, 3, 4)


def test_word_pair_mistakes_name_their_lines():
    with pytest.raises(LabError) as caught:
        benchmark_sets.read_word_pairs(b"cat\tdog\t7\ncat\tdog\nsun\tmoon\tbright\ncar\ttree\t1\n", "pairs.tsv")
    assert "line 2: expected 3 columns" in str(caught.value)
    assert "line 3: the score 'bright' is not a number" in str(caught.value)
    with pytest.raises(LabError, match="at least 3"):
        benchmark_sets.read_word_pairs(b"cat\tdog\t7\n")


def test_a_section_is_found_by_name_and_spread_evenly():
    google = benchmark_sets.google_analogies()
    family = google.section("family")
    sample = family.spread(8)
    assert len(sample.questions) == 8 and sample.name == "family"
    assert set(sample.questions) <= set(family.questions)
    assert len({question[:2] for question in sample.questions}) > 1  # not all from the first word pair
    assert sample.lines == tuple(family.lines[family.questions.index(q)] for q in sample.questions)
    with pytest.raises(LabError, match="no section"):
        google.section("no-such-section")


def test_unknown_bundled_set_is_refused():
    with pytest.raises(LabError, match="choose one of WordSim-353, SimLex-999"):
        benchmark_sets.bundled_pairs("MEN")


# ---------------------------------------------------------------- analogy evaluation


def _gensim_counts(keyed, path, restrict):
    score, sections = keyed.evaluate_word_analogies(str(path), restrict_vocab=restrict)
    return score, {s["section"]: (len(s["correct"]), len(s["correct"]) + len(s["incorrect"])) for s in sections[:-1]}


def test_analogy_accuracy_equals_gensim_per_section(glove, keyed, small_google):
    report = benchmarks.evaluate_analogies(glove, benchmark_sets.read_analogies(small_google), restrict_vocab=RESTRICT)
    score, expected = _gensim_counts(keyed, small_google, RESTRICT)
    assert {s.name: (s.correct, s.answered) for s in report.sections} == expected
    assert report.accuracy == pytest.approx(score)
    assert report.restrict_vocab == RESTRICT


def test_section_scores_add_up(glove, small_google):
    analogy_set = benchmark_sets.read_analogies(small_google)
    report = benchmarks.evaluate_analogies(glove, analogy_set, restrict_vocab=5_000)
    assert report.skipped > 0  # 5,000 words leave some questions out
    assert report.answered + report.skipped == analogy_set.size
    assert report.correct == sum(s.correct for s in report.sections) == sum(p[4].upper() == p[5].upper() for p in report.predictions)
    assert len(report.predictions) == report.answered
    assert len(report.wrong) == report.answered - report.correct
    assert not any(report.right(p) for p in report.wrong)
    assert report.oov_rate == pytest.approx(report.skipped / analogy_set.size)
    for section, source in zip(report.sections, analogy_set.sections):
        assert section.answered + section.skipped == len(source.questions)
        assert 0 <= section.accuracy <= 1


@pytest.mark.parametrize("method", ["3cosadd", "3cosmul"])
def test_compiled_kernel_and_torch_path_agree(glove, small_google, method):
    analogy_set = benchmark_sets.read_analogies(small_google)
    kernel = benchmarks.evaluate_analogies(glove, analogy_set, restrict_vocab=RESTRICT, method=method)
    torch_path = benchmarks.evaluate_analogies(glove, analogy_set, restrict_vocab=RESTRICT, method=method, backend="torch")
    assert kernel.predictions == torch_path.predictions


@pytest.mark.filterwarnings("ignore:Call to deprecated `init_sims`:DeprecationWarning")
def test_3cosmul_evaluation_matches_per_question_answers(glove, keyed, small_google):
    analogy_set = benchmark_sets.read_analogies(small_google)
    report = benchmarks.evaluate_analogies(glove, analogy_set, restrict_vocab=WORDS, method="3cosmul")
    for _, a, b, c, _, predicted in report.predictions[::40]:
        best = keyed.most_similar_cosmul(positive=[b.lower(), c.lower()], negative=[a.lower()], topn=1)[0][0]
        assert predicted == best


def test_colliding_spellings_follow_gensim(tmp_path):
    """Words that upper-case alike ('Rome', 'rome'): gensim's first-spelling and top-five rules apply."""
    rng = np.random.default_rng(7)
    base = [f"w{i}" for i in range(150)]
    words = base + [w.upper() for w in base[:40]]  # 40 later spellings that collide after upper-casing
    embeddings = EmbeddingSet(words, rng.normal(size=(len(words), 6)).astype(np.float32), device=None)
    keyed = KeyedVectors(6)
    keyed.add_vectors(words, embeddings.vectors.cpu().numpy())
    lines = [": mixed"] + [" ".join(rng.choice(base[:60], 4, replace=False)) for _ in range(150)]
    path = tmp_path / "mixed.txt"
    path.write_text("\n".join(lines) + "\n")
    report = benchmarks.evaluate_analogies(embeddings, benchmark_sets.read_analogies(path), restrict_vocab=len(words))
    score, expected = _gensim_counts(keyed, path, len(words))
    assert (report.sections[0].correct, report.sections[0].answered) == expected["mixed"]
    assert report.rescored > 0  # the questions touching collisions went through gensim's own rule


def test_progress_is_reported_per_chunk(glove, small_google):
    seen = []
    benchmarks.evaluate_analogies(glove, benchmark_sets.read_analogies(small_google), restrict_vocab=RESTRICT,
                                  on_progress=lambda step, total, metrics: seen.append((step, total, metrics["words_scanned"])))
    assert [step for step, _, _ in seen] == list(range(1, len(seen) + 1))
    assert seen[-1][0] == seen[-1][1] and seen[-1][2] == RESTRICT


def test_bad_evaluation_settings_are_refused(glove, small_google):
    analogy_set = benchmark_sets.read_analogies(small_google)
    with pytest.raises(LabError, match="restrict_vocab must be at least 1"):
        benchmarks.evaluate_analogies(glove, analogy_set, restrict_vocab=0)
    with pytest.raises(LabError, match="method must be one of"):
        benchmarks.evaluate_analogies(glove, analogy_set, method="3coswhat")


# ---------------------------------------------------------------- word pairs


@pytest.mark.parametrize("name", list(benchmark_sets.PAIR_FILES))
def test_word_pair_correlations_equal_gensim(glove, keyed, name):
    report = benchmarks.evaluate_word_pairs(glove, benchmark_sets.bundled_pairs(name), restrict_vocab=RESTRICT)
    pearson, spearman, oov = keyed.evaluate_word_pairs(str(gensim_test_file(benchmark_sets.PAIR_FILES[name])), restrict_vocab=RESTRICT)
    assert report.spearman == pytest.approx(spearman.statistic, abs=1e-6)
    assert report.pearson == pytest.approx(pearson.statistic, abs=1e-6)
    assert report.oov_rate * 100 == pytest.approx(oov)
    assert len(report.used) + len(report.skipped) == len(benchmark_sets.bundled_pairs(name).pairs)


def test_too_few_known_pairs_is_a_clear_error(glove):
    pairs = benchmark_sets.read_word_pairs(b"qqxq\tzzvz\t1\nxxqx\tvvzz\t2\nqxqx\tzvzv\t3\n")
    with pytest.raises(LabError, match="Only 0 of the 3 pairs"):
        benchmarks.evaluate_word_pairs(glove, pairs)


def _unit(vector):
    return vector / np.linalg.norm(vector)


def test_near_ties_inside_the_derived_margin_are_settled_by_gensims_arithmetic(tmp_path):
    """Two candidates whose 3CosAdd scores differ by 5e-5: beyond the old ad-hoc margin (2e-5 × ‖b − a + c‖),
    within the derived one, so the question must be re-scored the way gensim scores it; a clear question is not."""
    rng = np.random.default_rng(11)
    dim = 50
    a, b, c = (_unit(rng.normal(size=dim)) for _ in range(3))
    target = b + c - a
    length = float(np.linalg.norm(target))
    gap = 5e-5
    assert 2e-5 * length < gap < benchmarks.near_tie_margin(dim)

    def at_cosine(cosine):  # a unit vector at this cosine to b - a + c
        side = rng.normal(size=dim)
        side = _unit(side - (side @ target) / length**2 * target)
        return cosine * target / length + np.sqrt(1 - cosine**2) * side

    first, second = at_cosine(0.9), at_cosine(0.9 - gap / length)
    d, e, f = (_unit(rng.normal(size=dim)) for _ in range(3))
    clear = _unit(e + f - d)  # the clear question's answer: its score beats everything by far
    filler = [_unit(rng.normal(size=dim)) for _ in range(100)]
    words = ["a", "b", "c", "first", "second", "d", "e", "f", "clear"] + [f"w{i}" for i in range(100)]
    matrix = np.array([a, b, c, first, second, d, e, f, clear, *filler], dtype=np.float32)
    embeddings = EmbeddingSet(words, matrix, device=None)
    keyed = KeyedVectors(dim)
    keyed.add_vectors(words, matrix)
    path = tmp_path / "ties.txt"
    path.write_text(": ties\na b c first\nd e f clear\n")
    report = benchmarks.evaluate_analogies(embeddings, benchmark_sets.read_analogies(path), restrict_vocab=len(words))
    assert report.rescored == 1
    _, expected = _gensim_counts(keyed, path, len(words))
    assert (report.sections[0].correct, report.sections[0].answered) == expected["ties"] == (2, 2)


@pytest.mark.parametrize("dim", [50, 300])
def test_the_margin_covers_the_scores_float32_error(dim):
    """The lab's float32 3CosAdd scores, from stored unit rows, stay within half the margin of the exact
    scores, for rows of random signs and for rows of one sign (where no rounding error cancels)."""
    rng = np.random.default_rng(dim)
    for rows in (rng.normal(size=(2_000, dim)), np.abs(rng.normal(size=(2_000, dim)))):
        vectors = rows.astype(np.float32)
        exact_unit = vectors.astype(np.float64) / np.linalg.norm(vectors.astype(np.float64), axis=1, keepdims=True)
        unit = EmbeddingSet([f"w{i}" for i in range(len(vectors))], vectors, device=None).unit
        a, b, c = unit[0], unit[1], unit[2]
        lab = (unit @ b) + (unit @ c) - (unit @ a)  # float32, as the scan combines them
        exact = exact_unit @ (exact_unit[1] + exact_unit[2] - exact_unit[0])
        assert float(np.abs(lab.numpy() - exact).max()) < benchmarks.near_tie_margin(dim) / 2
