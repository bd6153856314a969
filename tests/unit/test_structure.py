"""Articles on the seed pages against hand labels: headline recall and precision, and the share
of stories whose whole body sits under its own headline. The figures are printed (``-s``)."""

import re

import pytest

from leshan_reader.ingest.masthead import find_masthead
from leshan_reader.ingest.structure import split_articles, similarity
from tests.conftest import FEATURE_2021, FRONT_2021, FRONT_2022_06, FRONT_2022_07, REPORT_2021, seed_paragraphs
from tests.data.seed_articles import STORIES


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def same_headline(produced: str, labelled: str) -> bool:
    a, b = squash(produced), squash(labelled)
    return bool(a) and (a in b or b in a)


def articles_of(name):
    paragraphs = seed_paragraphs(name)
    return split_articles(paragraphs, find_masthead(paragraphs))


def scores():
    found = labelled = produced = correct_titles = placed = phrases = 0
    for name, stories in STORIES.items():
        articles = articles_of(name)
        titled = [a for a in articles if a.kind == "story" and a.title]
        produced += len(titled)
        correct_titles += sum(any(same_headline(a.title, h) for h, _ in stories) for a in titled)
        for headline, body_phrases in stories:
            labelled += 1
            found += any(same_headline(a.title, headline) for a in titled)
            for phrase in body_phrases:
                phrases += 1
                holder = next(a for a in articles if squash(phrase) in squash(a.text))
                placed += same_headline(holder.title, headline)
    return found / labelled, correct_titles / produced, placed / phrases


def test_headlines_and_story_bodies_match_the_hand_labels():
    recall, precision, placement = scores()
    print(f"\nheadline recall {recall:.2f}, precision {precision:.2f}, "
          f"story text under its own headline {placement:.2f}")
    # Measured: 25/25 headlines found, every title a real headline, 39/39 body phrases under their
    # own headline.
    assert (recall, precision, placement) == (1.0, 1.0, 1.0)


def test_a_line_between_a_byline_and_the_body_is_a_subhead():
    story = next(a for a in articles_of(FRONT_2022_07) if "凉水村" in a.text)
    assert "“红黑榜”晒出村务参与度" in story.text.split("\n\n")
    # and the story, byline first and headline after, is put together with its headline
    assert (story.title, story.byline) == ("“小积分”撬动“大治理”", "记者 鲁倩文")


def test_a_lone_short_line_after_a_photo_credit_is_a_caption():
    articles = articles_of(FEATURE_2021)
    caption = next(a for a in articles if "吴坤容 摄" in a.text)
    assert caption.kind == "caption" and caption.text.endswith("志愿服务")
    assert not any(a.title == "志愿服务" for a in articles)


def test_a_headline_printed_after_its_story_gets_the_story():
    articles = articles_of(FRONT_2022_07)
    meeting = next(a for a in articles if a.title == "市政府召开第20次常务会议")
    assert meeting.text.startswith("本报讯（记者 张清）昨（5）日，")
    assert meeting.byline == "记者 张清"


def test_kicker_and_two_line_headline():
    story = next(a for a in articles_of(FRONT_2022_06) if "防汛减灾全面胜利" in a.text)
    assert story.kicker == "陈光浩在全市2022年第二季度安全生产暨防汛减灾工作电视电话会议上强调"
    assert story.title == "抓实抓细安全生产防汛减灾工作 切实维护人民群众生命财产安全"


def test_deck_byline_and_a_lede_after_the_headline():
    story = next(a for a in articles_of(FRONT_2022_06) if a.title == "以“微改革”写好党建“大文章”")
    assert story.deck == "我市开展党的建设制度“微改革”工作综述"
    assert story.byline == "记者 鲁倩文"
    assert "探索村（社区）常职干部" in story.text and "发展路上" in story.text
    assert "围绕中心选“小”重“微”求“特”" in story.text.split("\n\n")  # a subhead stays a paragraph


def test_adverts_notices_captions_and_continuations():
    articles = articles_of(FRONT_2021)
    kinds = {a.kind for a in articles}
    assert {"masthead", "advert", "notice", "caption", "story"} <= kinds
    advert = next(a for a in articles if a.kind == "advert")
    assert "www.lscb.com" in advert.text and not advert.title
    notice = next(a for a in articles if a.kind == "notice")
    assert "专门值班电话：028-60595133" in notice.text
    caption = next(a for a in articles if a.kind == "caption")
    assert "乐山广播电视台供图" in caption.text
    feature = next(a for a in articles if a.title.startswith("深化城市党建工作引领"))
    assert feature.continues_to == 3
    report = next(a for a in articles_of(REPORT_2021) if a.title == "政府工作报告")
    assert report.continued_from == 2
    assert any(a.kind == "advert" and "乐山日报公益广告" in a.text for a in articles_of(REPORT_2021))


def test_every_paragraph_is_in_one_article_or_in_a_box_inside_a_story():
    for name in STORIES:
        paragraphs = seed_paragraphs(name)
        articles = split_articles(paragraphs, find_masthead(paragraphs))
        for index in range(len(paragraphs)):
            holders = [a for a in articles if a.paragraph_start <= index < a.paragraph_end]
            kinds = sorted(a.kind for a in holders)
            # A photo or an advert printed inside a story: the box, and the story around it.
            assert len(holders) == 1 or (len(holders) == 2 and kinds[1] == "story"
                                         and kinds[0] in ("advert", "caption", "notice")), (name, index)
        for article in articles:
            if article.kind == "story":
                assert all(paragraphs[i].text in article.text for i in article.paragraphs)


def test_a_story_interrupted_by_a_photo_goes_on_after_it():
    articles = articles_of(FEATURE_2021)
    story = next(a for a in articles if a.title == "市中区 担当“首位增长极”")
    assert "奋力攻坚克难" in story.text.split("\n\n")
    assert "苏稽古镇喜迎天下客" not in story.text  # the photo's caption stays the caption's
    assert story.text.index("创新引领发展") < story.text.index("奋力攻坚克难")


@pytest.mark.parametrize(
    "headline, story, alike",
    [("市政府召开第20次常务会议", "市长陈光浩主持召开市政府第20次常务会议。", True),
     ("茶香满溢 强农富农", "本报讯（记者 杨心梅）昨（5）日，市政协八届党组19次（扩大）会议召开", False)],
)
def test_similarity_is_the_evidence(headline, story, alike):
    assert (similarity(headline, story) >= 0.34) is alike


def test_headline_similarity_keeps_exactly_the_letters_and_digits():
    """Similarity compares letters and digits only; the substitution that keeps them must keep
    what str.isalnum keeps, over every code point."""
    from leshan_reader.ingest.structure import _letters_and_digits

    every = "".join(chr(code) for code in range(0x30000) if not 0xD800 <= code < 0xE000)
    assert _letters_and_digits(every) == "".join(filter(str.isalnum, every))
    assert similarity("乐山：茶叶_产业 2021", "乐山茶叶产业2021年") == 1.0
