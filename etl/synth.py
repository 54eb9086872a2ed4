"""A deterministic generator of realistic page dumps in all families of FORMATS.md (tests, bench).

Each page is a pure function of ``(seed, index, revision)``: it has its own random stream, so any
page can be regenerated alone (the benchmark's "1% changed" case rewrites a few pages with
``revision=1``) and the corpus is written page by page, never held in memory. The mix follows the
survey in FORMATS.md (WordPress/Blogger most common, then ordered-list and mirror pages, some
news, transcript and discussion pages), with the messy variants it lists (glued handles, nested
replies, in-comment lists, localized headers, CRLF, BOM, lost emoji, non-English comments), a long
tail of page sizes (a few pages with hundreds of comments) and a sprinkle of pages that must be
quarantined (empty, binary, not about a video).
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


def _names(block: str) -> tuple[str, ...]:
    """A ``;``-separated word list written as a text block (keeps the vocabulary readable)."""
    return tuple(" ".join(part.split()) for part in block.split(";") if part.strip())


# The family mix of the corpus, per mille (FORMATS.md: WordPress/Blogger most common).
FAMILY_WEIGHTS: dict[str, int] = {
    "ordered_list": 230,
    "mirror": 200,
    "wordpress": 200,
    "blogger": 90,
    "news": 110,
    "transcript": 60,
    "discussion": 70,
    "not_a_video": 20,
    "empty": 8,
    "binary": 7,
    "whitespace": 5,
}
# The family each generator's pages are expected to parse as (``layout``) or to be quarantined for.
EXPECTED_LAYOUT: dict[str, str] = {
    "ordered_list": "ordered_list",
    "mirror": "mirror",
    "wordpress": "wordpress",
    "blogger": "blogger",
    "news": "news",
    "transcript": "transcript",
    "discussion": "discussion",
}
EXPECTED_QUARANTINE: dict[str, str] = {
    "not_a_video": "not_a_video_page",
    "empty": "empty",
    "binary": "binary",
    "whitespace": "empty",
}

PEOPLE = _names(
    """
    Vladimir Putin; Masoud Pezeshkian; Volodymyr Zelensky; Emmanuel Macron; Olaf Scholz; Joe
    Biden; Donald Trump; Kamala Harris; Xi Jinping; Narendra Modi; Recep Tayyip Erdogan;
    Benjamin Netanyahu; Keir Starmer; Rishi Sunak; Ursula von der Leyen; Antonio Guterres;
    Giorgia Meloni; Pedro Sanchez; Luiz Inacio Lula da Silva; Javier Milei; Cyril Ramaphosa;
    Fumio Kishida; Justin Trudeau; Anthony Albanese; Natalia Smolentceva; Alex Crawford; Lyse
    Doucet; Jeremy Bowen; Christiane Amanpour; Greta Thunberg; Elon Musk; Sam Altman; Jane
    Goodall; David Attenborough; Mohammed bin Salman; Abdel Fattah el-Sisi; Ibrahim Raisi; Ali
    Khamenei; Sergei Lavrov; Antony Blinken; Jens Stoltenberg; Mark Rutte; Yoon Suk Yeol; Kim
    Jong Un; Shehbaz Sharif; Imran Khan; Sheikh Hasina
    """
)
PLACES = _names(
    """
    Russia; Iran; Ukraine; Turkmenistan; Israel; Gaza; Lebanon; Syria; Turkey; Germany; France;
    Poland; Spain; Italy; United Kingdom; United States; China; India; Pakistan; Bangladesh;
    Japan; South Korea; North Korea; Brazil; Argentina; Mexico; Canada; Australia; Nigeria;
    Kenya; Ethiopia; Sudan; Egypt; Saudi Arabia; Qatar; Azerbaijan; Armenia; Georgia;
    Kazakhstan; Moscow; Tehran; Kyiv; Bakhmut; Donetsk; Berlin; Paris; London; Washington;
    Beijing; New Delhi; Tokyo; Riga; Brussels; Geneva; Istanbul; Cairo; Nairobi; Lagos; Sao
    Paulo; Buenos Aires; Central Asia; the Middle East; the Sahel; the Balkans; the Black Sea;
    the Arctic
    """
)
ORGS = _names(
    """
    NATO; the United Nations; the European Union; the World Health Organization; the IMF; the
    World Bank; BRICS; OPEC; the Kremlin; Hezbollah; Hamas; the Red Cross; Amnesty
    International; Greenpeace; Reuters; Associated Press; BBC; Al Jazeera; Deutsche Welle; the
    Pentagon; the African Union; ASEAN; the G7; the G20; SpaceX; OpenAI; Google; Microsoft;
    Tesla; the Federal Reserve; the European Central Bank
    """
)
CHANNELS = (
    ("DW News", "dwnews", "dw.com"),
    ("Sky News", "SkyNews", "news.sky.com"),
    ("BBC News", "BBCNews", "bbc.co.uk"),
    ("Al Jazeera English", "aljazeeraenglish", "aljazeera.com"),
    ("FRANCE 24 English", "France24_en", "france24.com"),
    ("CNA", "channelnewsasia", "channelnewsasia.com"),
    ("WION", "WION", "wionews.com"),
    ("ABC News (Australia)", "abcnewsaustralia", "abc.net.au"),
    ("Channel 4 News", "channel4news", "channel4.com"),
    ("TRT World", "trtworld", "trtworld.com"),
    ("Kurzgesagt – In a Nutshell", "kurzgesagt", "kurzgesagt.org"),
    ("Veritasium", "veritasium", "veritasium.com"),
    ("TED", "TED", "ted.com"),
    ("NASA", "NASA", "nasa.gov"),
    ("The Economist", "TheEconomist", "economist.com"),
)
TOPICS = (
    "The increasing ties between {p1} and {p2}",
    "{person} meets {person2} in {p1}",
    "Why {p1} matters to {org}",
    "What {person} said about {p1}",
    "{org} warns of crisis in {p1}",
    "Inside {p1}: a report from the front line",
    "How {p1} is changing – explained",
    "{p1} election: what happens next?",
    "Drought in {p1} hits farmers hard",
    "{person} visits {p1} amid tensions with {p2}",
    "The history of {p1} in 10 minutes",
    "Is {org} losing influence in {p1}?",
    "VIDEO: {person} speaks after talks in {p1}",
    "Live: {org} summit in {p1}",
)
DESCRIPTION_SENTENCES = (
    "{person} has met {person2} for the first time in {p1}.",
    "The two leaders held talks at a regional summit in {p1}, where they joined heads of state"
    " from {p2}.",
    "{org} says the meeting comes amid soaring tensions in {p1}.",
    "Ties between {p1} and {p2} have strengthened since {year}, with {org} watching closely.",
    "Our correspondent {person} reports from {p1} on the consequences for {p2}.",
    "Critics in {p2} say {org} has done too little, too late.",
    "Analysts expect {person} to travel to {p1} again before the end of {year}.",
    "The decision was welcomed by {org} but criticised by officials in {p2}.",
    "Thousands gathered in {p1} on Sunday to protest against the plans.",
    "For more on the story, we talk to {person}, who joins us from {p1}.",
    "Prices in {p1} rose by {num} percent last year, according to {org}.",
    "The talks in {p1} ended without agreement, {org} said in a statement.",
)
COMMENT_SENTENCES = (
    "{p1} and {p2} have a lot of history in common, it's only natural they get together now.",
    "In the future {p1} won't be our enemy, but {org} needs to wake up.",
    "{person} is the only one talking sense here.",
    "Great reporting as always, thank you from {p1}!",
    "Nobody in {p1} believes a word {person} says anymore.",
    "Why does nobody mention {org}? They are behind all of this.",
    "I lived in {p1} for {num} years and this is exactly how it is.",
    "The real question is what {p2} will do next.",
    "This aged well… {person} said the same thing in {year}.",
    "Thanks for the clear explanation, very helpful.",
    "Can you do a video about {p1} and {org} next?",
    "{org} should have acted years ago.",
    "Prayers for the people of {p1} ????",
    "Isaiah 54:17 No weapon formed against thee shall prosper.",
    "Watch from 12:34, that is where it gets interesting.",
    "Source: https://www.{domain}/news/{slug} – read it before commenting.",
)
FOREIGN_COMMENTS = (
    "Danke Deutschland für die Hilfe, aber {person} ist viel zu langsam.",
    "Muy buen reportaje sobre {p1}, saludos desde Buenos Aires.",
    "C'est incroyable ce qui se passe en ce moment à {p1}.",
    "Путин никогда не остановится, пока его не остановят.",
    "Слава Україні! Героям слава!",
    "Это всё политика, простые люди ни в чём не виноваты.",
    "Díky za skvělé video, pozdrav z Prahy.",
    "شكرا على التقرير، الوضع في غزة مأساوي",
    "Çok güzel bir haber olmuş, teşekkürler.",
    "Excelente vídeo, abraço do Brasil!",
)
ARTICLE_SENTENCES = (
    "The council approved the new budget for {p1} on Tuesday after a long debate.",
    "{person} told reporters that the plan would be reviewed by {org} next month.",
    "Residents of {p1} have complained about rising rents for several years.",
    "Officials in {p2} declined to comment on the proposal.",
    "The report, published by {org}, found that costs had risen by {num} percent.",
    "Critics argue that the measure does little for families in {p1}.",
)
EMOJI = ("🙏", "❤️", "😂", "👍", "🔥", "🇺🇦", "🇮🇷", "✝️", "😢", "????")
FIRST_NAMES = _names(
    """
    Maria; John; Ahmed; Olena; Pierre; Hans; Sofia; Ravi; Chen; Fatima; Ivan; Lucas; Aylin;
    Kwame; Yuki; Elena; Omar; Sarah; David; Anna
    """
)
LAST_NAMES = _names(
    """
    Smith; Kowalski; Petrenko; Dubois; Müller; Garcia; Sharma; Wang; Haddad; Ivanov; Silva;
    Yilmaz; Mensah; Tanaka; Rossi; Khan; Cohen; Novak; Jones
    """
)
MONTHS = _names(
    """
    January; February; March; April; May; June; July; August; September; October; November;
    December
    """
)
SHORT_MONTHS = tuple(m[:3] for m in MONTHS)
AGES = _names(
    """
    {n} days ago; {n} hours ago; {n} weeks ago; {n} months ago; 1 year ago; {n} years ago; 2
    роки тому; 3 года назад; před {n} dny; hace {n} días
    """
)
MIRROR_UI = (  # interface language: share, embed, comments header word, published word
    ("Share", "Embed", "COMMENTS", "Published"),
    ("Поділитися", "Вбудувати", "КОМЕНТАРІ", "Опубліковано"),
    ("Sdílet", "Vložit", "Komentáře", "Publikováno"),
    ("Compartir", "Insertar", "Comentarios", "Publicado"),
    ("Поделиться", "Встроить", "КОММЕНТАРИИ", "Опубликовано"),
)
HASHTAGS = _names(
    """
    Russia; Iran; Ukraine; Climate; Sequía; News; Politics; Gaza; NATO; Election; Science;
    Space; History; Economy; AI
    """
)


@dataclass(frozen=True, slots=True)
class SynthPage:
    """One generated page: its file name, the family it was drawn from, and its raw bytes."""

    name: str
    family: str
    data: bytes


def page_name(seed: int, index: int) -> str:
    """``NNNNNNN_<16 hex>.txt``: a sequence number and a hash, like the real dumps."""
    digest = hashlib.sha256(f"{seed}:{index}".encode()).hexdigest()[:16]
    return f"{index:07d}_{digest}.txt"


def synth_page(seed: int, index: int, *, revision: int = 0) -> SynthPage:
    """Page ``index`` of corpus ``seed`` (pure). ``revision`` > 0 gives a changed version of it."""
    rng = random.Random(f"{seed}:{index}:{revision}")
    family = _pick_family(random.Random(f"{seed}:{index}:family"))
    data = _GENERATORS[family](_Ctx(rng))
    return SynthPage(page_name(seed, index), family, data)


def iter_corpus(pages: int, seed: int) -> Iterator[SynthPage]:
    """The corpus' pages one at a time, in index order."""
    for index in range(pages):
        yield synth_page(seed, index)


def write_corpus(out_dir: str | os.PathLike[str], *, pages: int, seed: int = 0) -> int:
    """Write ``pages`` pages of corpus ``seed`` into ``out_dir`` (created); return the count.

    Streams: one page is generated, written and dropped at a time, so a million pages need no
    more memory than one. Existing files of the same name are overwritten (same bytes).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for page in iter_corpus(pages, seed):
        (out / page.name).write_bytes(page.data)
        written += 1
        if written % 100_000 == 0:
            log.info("synth: %d of %d pages written", written, pages)
    return written


def rewrite_pages(
    out_dir: str | os.PathLike[str], *, seed: int, indices: Sequence[int], revision: int = 1
) -> int:
    """Overwrite the given pages with a changed version (same file name, different content)."""
    out = Path(out_dir)
    for index in indices:
        page = synth_page(seed, index, revision=revision)
        (out / page.name).write_bytes(page.data)
    return len(indices)


# ---------------------------------------------------------------------------------------------
# Building blocks


def _pick_family(rng: random.Random) -> str:
    point = rng.randrange(sum(FAMILY_WEIGHTS.values()))
    for family, weight in FAMILY_WEIGHTS.items():
        if point < weight:
            return family
        point -= weight
    raise AssertionError("unreachable: weights cover the range")


class _Ctx:
    """Per-page random choices with the page's cast (people, places, channel) fixed once."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.people = rng.sample(PEOPLE, 3)
        self.places = rng.sample(PLACES, 3)
        self.org = rng.choice(ORGS)
        self.channel, self.handle, self.domain = rng.choice(CHANNELS)

    def fill(self, template: str) -> str:
        """``template`` with the page's cast filled in, first letter capitalised."""
        r = self.rng
        text = template.format(
            person=r.choice(self.people),
            person2=r.choice(PEOPLE),
            p1=self.places[0] if r.random() < 0.6 else r.choice(self.places),
            p2=r.choice(PLACES),
            org=self.org if r.random() < 0.6 else r.choice(ORGS),
            year=r.randint(2014, 2024),
            num=r.randint(2, 40),
            domain=self.domain,
            slug=f"{r.choice(self.places).lower().replace(' ', '-')}-{r.randint(1000, 99999)}",
        )
        return text[:1].upper() + text[1:]

    def title(self) -> str:
        title = self.fill(self.rng.choice(TOPICS))
        if self.rng.random() < 0.08:
            title += " " + self.rng.choice(EMOJI[:6])
        return title

    def paragraph(self, sentences: Sequence[str], low: int, high: int) -> str:
        picked = self.rng.sample(sentences, self.rng.randint(low, high))
        return " ".join(self.fill(sentence) for sentence in picked)

    def description(self) -> list[str]:
        paragraphs = [
            self.paragraph(DESCRIPTION_SENTENCES, 2, 5) for _ in range(self.rng.randint(2, 4))
        ]
        out: list[str] = []
        for paragraph in paragraphs:
            out += [paragraph, ""]
        if self.rng.random() < 0.05:  # a scraper duplicated a whole paragraph
            out += [paragraphs[0], ""]
        return out

    def comment_text(self) -> list[str]:
        """One comment's lines: English mostly, some foreign, emoji, a URL or an own list."""
        r = self.rng
        sentences = FOREIGN_COMMENTS if r.random() < 0.15 else COMMENT_SENTENCES
        lines = [self.paragraph(sentences, 1, 3)]
        if r.random() < 0.2:
            lines[0] += " " + r.choice(EMOJI)
        if r.random() < 0.25:
            lines.append(self.paragraph(COMMENT_SENTENCES, 1, 2))
        if r.random() < 0.04:  # the comment's own numbered list
            style = r.choice(("{n}.", "{n})"))
            lines += [
                f"{style.format(n=n)} {self.fill(r.choice(COMMENT_SENTENCES))}"
                for n in range(1, r.randint(2, 4) + 1)
            ]
        if r.random() < 0.05:
            lines.append(f"#{r.choice(HASHTAGS)}")
        return lines

    def comment_count(self) -> int:
        """Comments shown on a page: a few usually, a long tail up to hundreds."""
        r = self.rng.random()
        if r < 0.008:
            return self.rng.randint(200, 700)
        if r < 0.05:
            return self.rng.randint(40, 150)
        return min(int(self.rng.lognormvariate(2.0, 0.7)), 40)

    def declared(self, shown: int) -> int:
        """The declared count is usually larger than the number shown."""
        return shown + int(shown * self.rng.random() * 3) + self.rng.randint(0, 5)

    def person_name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def handle_name(self) -> str:
        r = self.rng
        base = f"{r.choice(FIRST_NAMES)}{r.choice(LAST_NAMES)}"
        if r.random() < 0.4:
            base = f"user-{r.choice('abcdefghijkmnpqrstuvwxyz')}{r.randint(10, 9999)}"
        elif r.random() < 0.3:
            base += str(r.randint(1, 9999))
        return "@" + base

    def age(self) -> str:
        return self.rng.choice(AGES).format(n=self.rng.randint(2, 11))

    def date(self) -> str:
        r = self.rng
        return f"{r.choice(MONTHS)} {r.randint(1, 28)}, {r.randint(2015, 2024)}"

    def clock(self) -> str:
        r = self.rng
        return f"{r.randint(1, 12)}:{r.randint(0, 59):02d} {r.choice(('am', 'pm', 'AM', 'PM'))}"

    def links_block(self) -> list[str]:
        r = self.rng
        lines = [f"Subscribe: https://www.youtube.com/user/{self.handle}?sub_confirmation=1"]
        if r.random() < 0.7:
            lines.append(f"For more news go to: http://www.{self.domain}/en/")
        if r.random() < 0.6:
            lines.append(f"Follow {self.channel} on social media:")
            bullet = r.choice(("►", "– ", "• ", ""))
            lines += [
                f"{bullet}Facebook: https://www.facebook.com/{self.handle}/",
                f"{bullet}Twitter: https://twitter.com/{self.handle}",
                f"{bullet}Instagram: https://www.instagram.com/{self.handle}",
            ]
        if r.random() < 0.2:
            lines.append(
                f"Support us: patreon.com/{self.handle} "
                f"or bit.ly/{self.handle[:4]}{r.randint(10, 99)}"
            )
        if r.random() < 0.1:
            lines.append(f"Contact: desk@{self.domain}")
        return lines

    def hashtag_line(self) -> str:
        return " ".join("#" + t for t in self.rng.sample(HASHTAGS, self.rng.randint(1, 4)))

    def chapters(self) -> list[str]:
        r = self.rng
        if r.random() > 0.25:
            return []
        lines = ["Chapters:"] if r.random() < 0.5 else []
        minute = 0
        for _ in range(r.randint(3, 6)):
            lines.append(f"{minute:02d}:{r.randint(0, 59):02d} {self.fill(r.choice(TOPICS))[:40]}")
            minute += r.randint(1, 6)
        return [*lines, ""]


def _encode(ctx: _Ctx, lines: Sequence[str]) -> bytes:
    """Join lines; some scrapers write CRLF, some a BOM; some lose emoji as ``????``."""
    r = ctx.rng
    text = "\n".join(lines) + "\n"
    if r.random() < 0.03:
        for emoji in EMOJI[:-1]:
            text = text.replace(emoji, "????")
    if r.random() < 0.06:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if r.random() < 0.03:
        data = b"\xef\xbb\xbf" + data
    return data


# ---------------------------------------------------------------------------------------------
# Families


def _ordered_list(ctx: _Ctx) -> bytes:
    """Family A (the seed): title twice, description, ``N comments``, ``  1.`` items."""
    r = ctx.rng
    title = f"{ctx.title()} | {ctx.channel}"
    lines = [title, "", "", "", title, ""] if r.random() < 0.7 else [title, ""]
    lines += ctx.description()
    lines += [*ctx.links_block(), "", *ctx.chapters(), ctx.hashtag_line(), ""]
    shown = ctx.comment_count()
    header = r.random()
    if shown == 0:
        lines += [r.choice(("No comments yet", "0 Comments", "Be the first to comment")), ""]
    elif header < 0.8:
        count = ctx.declared(shown)
        lines.append(f"{count:,} comments" if count != 1 else "1 comment")
    elif header < 0.9:
        lines.append(f"Comments: {ctx.declared(shown)}")
    for number in range(1, shown + 1):
        body = ctx.comment_text()
        lines.append(f"  {number}. {body[0]}")
        lines += [f"    {line}" for line in body[1:]]
        lines.append("")
        if r.random() < 0.12:  # nested replies: a list two columns deeper, restarting at 1
            for reply in range(1, r.randint(1, 3) + 1):
                text = ctx.comment_text()
                lines.append(f"    {reply}. @{ctx.person_name().split()[0]} {text[0]}")
                lines += [f"      {line}" for line in text[1:]]
                lines.append("")
    lines.append("Leave a Reply")
    return _encode(ctx, lines)


def _mirror(ctx: _Ctx) -> bytes:
    """Family B: video-host mirror with a (often non-English) interface, ``• @handle`` comments."""
    r = ctx.rng
    share, embed, comments_word, published = r.choice(MIRROR_UI)
    lines = [f"{ctx.title()} | {ctx.channel}" if r.random() < 0.6 else ctx.title(), ""]
    lines += [share, embed, "", ctx.channel, f"{r.randint(1, 900)}K subscribers", ""]
    lines += [
        f"• {published} {r.randint(1, 28)} {r.choice(SHORT_MONTHS)} {r.randint(2015, 2024)}",
        "",
    ]
    lines += ["    " + line if line else "" for line in ctx.description()]
    lines += ["    " + line for line in ctx.links_block()]
    lines += ["", f"    {ctx.hashtag_line()}", ""]
    shown = ctx.comment_count()
    lines += [f"{comments_word} • {ctx.declared(shown):,}", ""]
    for _ in range(shown):
        lines += _mirror_comment(ctx, "")
        if r.random() < 0.15:
            for _ in range(r.randint(1, 3)):
                lines += _mirror_comment(ctx, "    ", mention=True)
    return _encode(ctx, lines)


def _mirror_comment(ctx: _Ctx, indent: str, *, mention: bool = False) -> list[str]:
    r = ctx.rng
    handle = ctx.handle_name()
    likes = f" +{r.randint(1, 999)}" if r.random() < 0.4 else ""
    age = ctx.age()
    if r.random() < 0.1:  # the mirror glued handle and age: "@name441012 days ago"
        if not handle[-1].isdigit():
            handle += str(r.randint(10, 9999))
        age = f"{r.randint(2, 11)} days ago"
        age_line = f"{handle}{age}{likes}"
    else:
        age_line = f"{handle} {age}{likes}"
    text = ctx.comment_text()
    if mention:
        text[0] = f"@@{ctx.handle_name()[1:]} {text[0]}"
    return [f"{indent}• {handle}", f"{indent}{age_line}", *[indent + t for t in text], ""]


def _wordpress(ctx: _Ctx) -> bytes:
    """Family C: WordPress post embedding a video, ``Name says:`` + date + text + ``Reply``."""
    r = ctx.rng
    title = ctx.title()
    lines = [
        f"{ctx.channel} Fan Blog",
        "",
        title,
        f"Posted on {ctx.date()} by {ctx.person_name()}",
        "",
    ]
    lines += [ctx.paragraph(DESCRIPTION_SENTENCES, 1, 3), ""]
    lines += [
        f"Watch the video from {ctx.channel} below:",
        f"https://www.youtube.com/watch?v={_video_key(r)}",
        "",
    ]
    lines += ctx.description()
    shown = ctx.comment_count()
    if shown == 0:
        lines += ["No comments yet.", ""]
    else:
        count = ctx.declared(shown) if r.random() < 0.3 else shown
        header = r.choice(("{n} thoughts on “{t}”", "{n} Responses to “{t}”", "{n} Comments"))
        lines += [header.format(n=count, t=title), ""]
    for _ in range(shown):
        lines += _wordpress_comment(ctx, "")
        if r.random() < 0.12:
            lines += _wordpress_comment(ctx, "    ")
    lines += [
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "",
    ]
    lines.append("This site uses Akismet to reduce spam. Learn how your comment data is processed.")
    return _encode(ctx, lines)


def _wordpress_comment(ctx: _Ctx, indent: str) -> list[str]:
    name = ctx.person_name()
    lines = [f"{indent}{name} says:", f"{indent}{ctx.date()} at {ctx.clock()}"]
    lines += [indent + t for t in ctx.comment_text()]
    return [*lines, f"{indent}Reply", ""]


def _blogger(ctx: _Ctx) -> bytes:
    """Family C (Blogger): ``N comments:`` + ``Name said...`` + text + timestamp."""
    r = ctx.rng
    lines = [ctx.title(), "", ctx.paragraph(DESCRIPTION_SENTENCES, 1, 2), ""]
    lines += [f"Video: https://www.youtube.com/watch?v={_video_key(r)}", ""]
    lines += ctx.description()
    lines += [f"Posted by {ctx.person_name()} at {ctx.clock()}", ""]
    shown = ctx.comment_count()
    lines += ["No comments:" if shown == 0 else f"{shown} comments:", ""]
    for _ in range(shown):
        author = "Anonymous" if r.random() < 0.2 else ctx.person_name()
        lines += [f"{author} said...", *ctx.comment_text()]
        lines += [f"{ctx.date()} at {ctx.clock()}", ""]
    lines += ["Post a Comment", "", "Newer Post Older Post Home"]
    return _encode(ctx, lines)


def _news(ctx: _Ctx) -> bytes:
    """Family D: news/video page without comments; related teasers and a flattened tweet."""
    r = ctx.rng
    lines = [ctx.title(), f"{ctx.channel} | {ctx.date()}", ""]
    lines += ctx.description()
    lines += [f"Watch the full video: https://www.{ctx.domain}/video/{r.randint(10**6, 10**7)}", ""]
    if r.random() < 0.5:
        person = ctx.person_name()
        lines += [
            f"{ctx.fill(r.choice(COMMENT_SENTENCES))} pic.twitter.com/{_video_key(r)[:10]}",
            f"— {person} (@{person.split()[1]}{r.randint(1, 99)}) {ctx.date()}",
            "",
        ]
    lines += ["Related videos", *(ctx.title() for _ in range(r.randint(2, 5))), ""]
    return _encode(ctx, lines)


def _transcript(ctx: _Ctx) -> bytes:
    """Family E: label lines then timed transcript lines (glued ``00:07Text`` or alone)."""
    r = ctx.rng
    lines = [ctx.title(), f"Channel / Source: {ctx.channel}", f"Published: {ctx.date()}"]
    lines += [f"Source: https://www.youtube.com/watch?v={_video_key(r)}", "", "Transcript", ""]
    seconds = 0
    glued = r.random() < 0.5
    for _ in range(r.randint(10, 60)):
        stamp = f"{seconds // 60:02d}:{seconds % 60:02d}"
        text = ctx.fill(r.choice(DESCRIPTION_SENTENCES))
        lines += [f"{stamp}{text}"] if glued else [f"00:{stamp}", text]
        seconds += r.randint(3, 20)
    return _encode(ctx, lines)


def _discussion(ctx: _Ctx) -> bytes:
    """Family F: Substack (``Name's avatar``) or a forum thread with ``Re:`` subjects."""
    r = ctx.rng
    title = ctx.title()
    lines = [title, ctx.paragraph(DESCRIPTION_SENTENCES, 1, 1), ctx.person_name(), ctx.date(), ""]
    lines += [f"Watch the video: https://youtu.be/{_video_key(r)}", ""]
    lines += ctx.description()
    shown = max(1, ctx.comment_count())
    if r.random() < 0.6:
        lines += ["Discussion about this video", ""]
        for _ in range(shown):
            name = ctx.person_name()
            lines += [f"{name}'s avatar", name, f"{r.choice(SHORT_MONTHS)} {r.randint(1, 28)}"]
            lines += [*ctx.comment_text(), f"Like ({r.randint(1, 90)})", "Reply", "Share", ""]
            if r.random() < 0.1:
                lines += ["1 more comment...", ""]
    else:
        lines += [f"Comments ({ctx.declared(shown)})", ""]
        for _ in range(shown):
            lines += [
                f"Re: {title}",
                f"by {ctx.person_name()} on {ctx.date()}",
                *ctx.comment_text(),
                "",
            ]
    return _encode(ctx, lines)


def _not_a_video(ctx: _Ctx) -> bytes:
    """A plain article that happens to have comments: must be recognised as not a video page."""
    r = ctx.rng
    lines = [ctx.fill("Council debates new budget for {p1}"), f"By {ctx.person_name()}", ""]
    for _ in range(r.randint(2, 5)):
        lines += [ctx.paragraph(ARTICLE_SENTENCES, 2, 4), ""]
    shown = r.randint(1, 8)
    lines += [f"{shown} thoughts on “Council budget”", ""]
    for _ in range(shown):
        lines += [f"{ctx.person_name()} says:", f"{ctx.date()} at {ctx.clock()}"]
        lines += [ctx.paragraph(ARTICLE_SENTENCES, 1, 2), "Reply", ""]
    lines.append("Leave a Reply")
    return _encode(ctx, lines)


def _empty(ctx: _Ctx) -> bytes:
    return b""


def _whitespace(ctx: _Ctx) -> bytes:
    return b" \n\r\n\t\n" * ctx.rng.randint(1, 20)


def _binary(ctx: _Ctx) -> bytes:
    """A binary file saved with a .txt name (an image the scraper grabbed)."""
    header = b"\x89PNG\r\n\x1a\n" if ctx.rng.random() < 0.5 else b"\xff\xd8\xff\xe0"
    return header + ctx.rng.randbytes(ctx.rng.randint(200, 4000))


def _video_key(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "".join(rng.choice(alphabet) for _ in range(11))


_GENERATORS: dict[str, Callable[[_Ctx], bytes]] = {
    "ordered_list": _ordered_list,
    "mirror": _mirror,
    "wordpress": _wordpress,
    "blogger": _blogger,
    "news": _news,
    "transcript": _transcript,
    "discussion": _discussion,
    "not_a_video": _not_a_video,
    "empty": _empty,
    "binary": _binary,
    "whitespace": _whitespace,
}
