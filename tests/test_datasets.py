from engine import datasets


def test_bbc_news_has_five_balanced_topics():
    table = datasets.bbc_news()
    assert len(table) == 2225
    assert sorted(table["label"].unique()) == list(datasets.BBC_TOPICS)
    assert table["text"].str.len().min() > 100


def test_tweets_keep_three_labels_or_two():
    three, two = datasets.tweets(), datasets.tweets(binary=True)
    assert sorted(three["label"].unique()) == list(datasets.TWEET_LABELS)
    assert set(two["label"]) == {"negative", "positive"}
    assert len(two) == (three["label"] != "neutral").sum()
    assert (three["text"].str.len() > 0).all()


def test_lee_corpus_is_a_list_of_stories():
    stories = datasets.lee_corpus()
    assert len(stories) == 300 and all(len(story.split()) > 20 for story in stories)
