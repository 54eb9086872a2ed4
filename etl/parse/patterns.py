"""Precompiled patterns and word lists shared by the page-parser submodules.

Everything is compiled once at import (the parser runs on 100,000+ pages) and written so that no
pattern can backtrack catastrophically: no nested unbounded quantifiers over overlapping classes.
Patterns are matched against a stripped line unless their name says otherwise.
"""

from __future__ import annotations

import functools
import re

from etl.parse.gates import dispatch_match, gated_match

# Numbers as pages write them: 1,047 / 1.047 / 3 456 (NBSP, narrow NBSP) / 1.2K / 1,2 тис.
NUM = r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+|\d+(?:[.,]\d+)?\s?(?:[kKmM]|тис\.?|тыс\.?|mil)?|\d+"
_NUM_RE = re.compile(
    r"^(?P<int>\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+|\d+)$"
    r"|^(?P<dec>\d+(?:[.,]\d+)?)\s?(?P<unit>[kKmM]|тис\.?|тыс\.?|mil|tis\.?)$"
)
_NON_DIGIT_RE = re.compile(r"\D")
_UNITS = {"k": 1_000, "m": 1_000_000, "тис": 1_000, "тыс": 1_000, "mil": 1_000, "tis": 1_000}

WORD_NUMBERS = {
    "no": 0,
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}


def parse_count(text: str) -> int | None:
    """A displayed count (``1,047``, ``3 456``, ``1.2K``, ``seven``) as an int; None if not one."""
    cleaned = text.strip().rstrip(".").strip()
    if cleaned.isdecimal():  # plain digits (str.isdecimal is exactly re's \d): the int branch
        return int(cleaned)
    word = WORD_NUMBERS.get(cleaned.casefold())
    if word is not None:
        return word
    match = _NUM_RE.match(cleaned)
    if match is None:
        return None
    if match.group("int") is not None:
        return int(_NON_DIGIT_RE.sub("", match.group("int")))
    unit = _UNITS[match.group("unit").rstrip(".").casefold()]
    return round(float(match.group("dec").replace(",", ".")) * unit)


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
    r"|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
    r"|januar|februar|märz|juni|juli|oktober|dezember)\.?"
)
_CLOCK = r"\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?\s?m\.?)?"
_WEEKDAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?\.?"
_CALENDAR_DATE = (
    rf"(?:{_WEEKDAY})?(?:{_MONTH}\s+{_DAY},?\s+\d{{4}}|{_DAY}\s+(?:de\s+)?{_MONTH},?\s+(?:de\s+)?\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?Z?)?|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})"
)
_RELATIVE_AGE = (
    r"(?:\d+|an?|one)\s+(?:sec(?:ond)?s?|min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?|years?)"
    r"\s+ago"
    r"|(?:hace|il y a|vor|před|há|hai)\s+\d+\s+\w+"
    r"|\d+\s+\w+\s+(?:назад|тому|temu|fa|önce|geleden|sedan|siden)"
)
# A line that is only a date/time or an age: WordPress/Blogger/Disqus comment metadata.
DATE_LINE_RE = re.compile(
    rf"^(?:{_CALENDAR_DATE})(?:,?\s*(?:at|um|à|a las|в|alle|om|kl\.)?\s*{_CLOCK})?"
    rf"(?:\s*(?:uhr|h|UTC|GMT|[A-Z]{{2,4}}))?$"
    rf"|^(?:{_RELATIVE_AGE})(?:\s*\((?:edited|bearbeitet|editado|modifié)\))?$"
    rf"|^{_CLOCK}\s*(?:on\s+)?(?:{_CALENDAR_DATE})$",
    re.IGNORECASE,
)
_match_date_line = gated_match(DATE_LINE_RE)
# Comment themes put links after the stamp ("May 4, 2024 at 10:12 pm Edit", "… | Reply").
_STAMP_TAIL_RE = re.compile(
    r"(?:\s*[|·•#]?\s*(?:edit|reply|permalink|link|report|#))+\s*$", re.IGNORECASE
)


# Characters that _STAMP_TAIL_RE can match, besides whitespace: its separators and every character
# re.IGNORECASE equates with a letter of its words (U+0130/U+0131 for "i", the Kelvin sign for "k").
# A match lies inside the longest run of these at the end of the line (tests check the set).
STAMP_TAIL_CHARS = frozenset("|·•#ADEIKLMNOPRTYadeiklmnoprty\u0130\u0131\u212a")
_STAMP_TAIL_RUN_RE = re.compile(
    "[\\s" + "".join(sorted(re.escape(ch) for ch in STAMP_TAIL_CHARS)) + "]*"
)
# The characters a match of _STAMP_TAIL_RE can end on (last letters of its words, or "#").
STAMP_TAIL_LAST = frozenset("tTyYkK\u212a#")


def clean_stamp(line: str) -> str:
    """A date/time line without the action links some themes append to it.

    Same result as ``_STAMP_TAIL_RE.sub("", line).strip()`` on lines ending in a letter or "#"
    (others are returned as they are), but the pattern only runs on the line's tail: searched
    over a whole comment line it tried every position and cost tens of microseconds.
    """
    last = line[-1:]
    if last not in STAMP_TAIL_LAST:
        return line.strip() if last.isalpha() else line
    # Length of the run of tail characters ending the line, measured on the reversed line so
    # the scan is one C-level match however long the line is.
    run = _STAMP_TAIL_RUN_RE.match(line[::-1])
    start = len(line) - (run.end() if run is not None else 0)
    match = _STAMP_TAIL_RE.search(line, start)
    return (line[: match.start()] if match is not None else line).strip()


# The stamp WordPress and Blogger print under nearly every comment ("July 8, 2015 at 10:45 PM").
# Every string it matches also matches DATE_LINE_RE (month, day, year, "at", clock), so a hit
# answers at a fraction of the cost of the full pattern; a miss falls through to it.
COMMON_STAMP_RE = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December) \d{1,2}, \d{4} at \d{1,2}:\d{2} [AaPp][Mm]\Z"
)
# Every alternative of DATE_LINE_RE has a digit or the word "ago": a cheap exact gate.
_DATE_GATE_RE = re.compile(r"\d|ago", re.IGNORECASE)


def is_date_line(line: str) -> bool:
    """The line is a date/time or an age (after ``clean_stamp``)."""
    if len(line) > _MAX_CACHED_DATE_CHARS:
        return _is_date_line(line)
    return _cached_is_date_line(line)


def _is_date_line(line: str) -> bool:
    """``is_date_line`` without the cache (pre-checks cheapest first, all exact)."""
    if not line or _DATE_GATE_RE.search(line) is None:
        return False
    cleaned = clean_stamp(line)
    return COMMON_STAMP_RE.match(cleaned) is not None or _match_date_line(cleaned) is not None


# Comment parsers ask about the same author/date lines several times per page; the answer is a
# pure function of the line, so a small cache serves the repeats. Only short lines are cached
# (date lines are short), so the cache can never pin megabytes of a pathological page.
_cached_is_date_line = functools.lru_cache(maxsize=1024)(_is_date_line)
_MAX_CACHED_DATE_CHARS = 200


RELATIVE_AGE_RE = re.compile(rf"^(?:{_RELATIVE_AGE})", re.IGNORECASE)
# Substack's short stamps: "May 3", "Mar 12, 2024", "3d", "2h", optionally "Edited".
SHORT_STAMP_RE = re.compile(
    rf"^(?:{_MONTH}\s+\d{{1,2}}(?:,\s+\d{{4}})?|\d+\s?(?:[smhdwy]|min|mins|hr|hrs))"
    r"(?:\s*[·•]?\s*edited)?$",
    re.IGNORECASE,
)

# Chapter and transcript timestamps starting a line: "00:00 Intro", "0:00 – Topic", "00:07Text".
TIMESTAMP_LINE_RE = re.compile(r"^\(?\d{1,2}:\d{2}(?::\d{2})?\)?(?=\D|$)")

# Action words and counters that page chrome puts inside comment blocks (removed from text).
ACTION_LINE_RE = re.compile(
    r"^(?:reply|replies|log in to reply|login to reply|reply ↓|delete|report|share|like|likes"
    r"|like\s*\(\d[\d,.]*\)|\d[\d,.]*\s+likes?|liked by .{1,80}|loading\.{3}|like loading\.{3}"
    r"|(?:pingback|trackback)\s*:.{0,200}"
    r"|expand full comment|collapse|hide replies|show replies|show more replies|view replies"
    r"|load more(?: comments| replies)?|show more|show less|read more|translate"
    r"|(?:show|view|hide|load|see|ver|mostrar|показати|показать|zobrazit)?\s*(?:all\s+)?"
    r"\d[\d,.]*\s+(?:more\s+)?(?:відповід\w*|ответ\w*|odpověd\w*|respuestas?|réponses?"
    r"|antworten|risposte|odpowiedzi|yanıt\w*|replies|reply)"
    r"|translate to english|see translation|translated(?: to english| by google)?|see original"
    r"|mostrar más|mostrar menos|leer más|ver más"
    r"|afficher plus|voir plus|mehr anzeigen|weniger anzeigen|mostra altro|показати більше"
    r"|показать больше|показать ещё|zobrazit více|zobrazit méně|daha fazla göster|…\s*more"
    r"|\.\.\.\s*more|читать дальше|читати далі|číst dál|weiterlesen|lire la suite|continua"
    r"|(?:\d[\d,.]*|one|a few)\s+(?:more\s+)?repl(?:y|ies)"
    r"(?:\s+by\s+.{1,80})?|\d[\d,.]*\s+more\s+comments?\s*(?:\.{3}|…)?|edited|\(edited\)"
    r"|відповісти|відповіді|ответить|ответы|odpovědět|odpovědi|responder|respuestas|répondre"
    r"|réponses|antworten|rispondi|odpowiedz|yanıtla|پاسخ|رد|الردود|[•·]?\s*share\s*›"
    r"|your comment is awaiting moderation\.?|reply to .{1,60}|quote|edit|report abuse"
    r"|permalink|flag|upvote|downvote|(?:[•·]\s*)?reply\s*[•·]\s*share\s*›?|see more|hide"
    r"|sort by .{1,30}|newest|oldest|best|top comments|newest first|\d+\s+points?|[▲▼↑↓]\s*\d*"
    r"|(?:pinned|закріплено|закреплено|připnuto|fijado|épinglé|angeheftet)\b.{0,60}"
    r"|(?:❤️?|♥)\s*(?:by\s+)?@?\S{1,60})$",
    re.IGNORECASE,
)
# Action lines are mostly a word or two: lines over 40 characters only try the alternatives
# that can be that long (about a sixth of them).
match_action_line = dispatch_match(ACTION_LINE_RE, 40)
LIKE_ACTION_RE = re.compile(r"^like\s*\((?P<n>\d[\d,.]*)\)$|^(?P<m>\d[\d,.]*)\s+likes?$", re.I)

# Lines after which nothing is a comment (reply forms, blog navigation).
FOOTER_RE = re.compile(
    r"^(?:leave a (?:reply|comment|response)|post a comment|add a comment|write a comment"
    r"|your email address will not be published.*|you must be logged in to post a comment.*"
    r"|this site uses akismet to reduce spam.*|comments are closed\.?|cancel reply"
    r"|newer post|older post|subscribe to: post comments.*|submit a comment"
    r"|leave a reply cancel reply|join the discussion|comment policy.*|powered by disqus"
    r"|subscribe privacy do not sell my data|add disqus to your site.*|what do you think\?"
    r"|deja una respuesta|laisser un commentaire|schreibe einen kommentar"
    r"|добавить комментарий|залишити коментар|напишите комментарий)\s*[.:]?$",
    re.IGNORECASE,
)

# Headings after which a page shows other videos/posts: not description, never comments.
CHROME_HEADING_RE = re.compile(
    r"^(?:related(?: videos?| posts?| articles?| stories| content)?|more videos|more from .{1,60}"
    r"|up next|you (?:may|might) also like|recommended(?: videos?| for you)?|watch more"
    r"|watch next|latest videos|most popular|trending(?: videos?| now)?|share this|like this"
    r"|share this:|like this:|more stories|top stories|read more:|see also|more on this story"
    r"|more in .{1,40}|most (?:watched|viewed|read|popular)|top videos|latest news|more news"
    r"|read next|what to watch next|more like this|editor'?s picks|popular videos|also on .{1,40}"
    r"|схожі відео|похожие видео|související videa|videos relacionados"
    r"|vidéos similaires|ähnliche videos|weitere videos)\s*:?$"
    # Blog post footers: byline with time, labels/tags/categories lines.
    r"|^(?:posted by .{1,80} at \d{1,2}:\d{2}(?:\s*[ap]m)?|labels?:.*|tags?:.*|tagged:?.*"
    r"|categories:.*|category:.*|filed under:?.*|posted in .*|bookmark the permalink\.?)$",
    re.IGNORECASE,
)

# Page navigation that scrapers leave before the title.
NAV_LINE_RE = re.compile(
    r"^(?:skip to (?:main )?content|menu|main menu|search|home|navigation|toggle navigation"
    r"|close|open menu|sign in|log ?in|subscribe)$",
    re.IGNORECASE,
)

# Counters of video-host mirrors: a number, an optional multiplier (k, M, Mio., Tsd., тис., mil,
# mi, mln, B = Turkish "bin"), an optional "de"/"d'"/"di", then a word, in the interface languages
# seen ("2,1 M d'abonnés", "4,5 mi de inscritos", "412 Tsd. Abonnenten", "1,2 Mln di iscritti").
_COUNT = (
    r"\d[\d,. \u00a0]*\s*(?:[kKmMbB]|тис\.?|тыс\.?|млн\.?|mil|mi|tis\.?|tys\.?|tsd\.?"
    r"|mln\.?|mio\.?|mrd\.?|bin)?\s*(?:de\s+|d['’]\s*|di\s+)?"
)
_SUBSCRIBER_WORDS = (
    r"subscribers?|підписників|підписники|подписчиков|подписчика|odběratelů|odberateľov"
    r"|suscriptores|abonnés|abonnenten|abonnees|abonnenter|prenumeranter|iscritti|inscritos"
    r"|subskrybentów|subskrybentow|abone|feliratkozó|abonați|pretplatnika"
)
_VIEW_WORDS = (
    r"views?|likes?|переглядів|перегляди|просмотров|просмотра|зhlédnutí|zhlédnutí"
    r"|visualizaciones|visualizações|vues|aufrufe|visualizzazioni|weergaven|wyświetleń"
    r"|görüntüleme"
)
# "Share" / "Embed" chrome of video-host mirrors, in the interface languages seen.
MIRROR_CHROME_RE = re.compile(
    r"^(?:share|embed|download|save|subscribe|subscribed|join|clip|thanks|report|more"
    r"|поділитися|вбудувати|завантажити|зберегти|підписатися|поделиться|встроить|скачать"
    r"|сохранить|подписаться|sdílet|vložit|stáhnout|uložit|odebírat|compartir|insertar"
    r"|descargar|guardar|suscribirse|partager|intégrer|télécharger|enregistrer|s'abonner"
    r"|teilen|einbetten|herunterladen|speichern|abonnieren|condividi|incorpora|udostępnij"
    r"|umieść|paylaş|yerleştir|compartilhar|incorporar|baixar|salvar|inscrever-se|delen"
    r"|insluiten|مشاركة|تضمين|" + _COUNT + r"(?:" + _VIEW_WORDS + r"|" + _SUBSCRIBER_WORDS + r"))$",
    re.IGNORECASE,
)
# The words that make head chrome a video-host mirror's (a blog may show "Subscribe" too).
MIRROR_SIGNAL_RE = re.compile(
    r"^(?:share|embed|поділитися|вбудувати|поделиться|встроить|sdílet|vložit|compartir"
    r"|insertar|partager|intégrer|teilen|einbetten|condividi|incorpora|udostępnij|umieść"
    r"|paylaş|yerleştir|compartilhar|incorporar|delen|insluiten|مشاركة|تضمين)$",
    re.IGNORECASE,
)
SUBSCRIBERS_RE = re.compile(r"^" + _COUNT + r"(?:" + _SUBSCRIBER_WORDS + r")$", re.IGNORECASE)
# "• Published 7 Jul 2021" (mirror) in the interface languages seen.
PUBLISHED_BULLET_RE = re.compile(
    r"^[•·]\s*(?:published|premiered|streamed live on|опубліковано|опубликовано|publikováno"
    r"|publicado em|publicado el|publicado|publié le|publié|veröffentlicht am|veröffentlicht"
    r"|pubblicato il|pubblicato|opublikowano"
    r"|yayınlanma tarihi|yayınlandı|تم النشر|gepubliceerd)\s*:?\s*(?:on\s+)?(?P<date>.+)$",
    re.IGNORECASE,
)
# Label lines of transcript/aggregator pages and blog/news bylines under the title.
META_LABEL_RE = re.compile(
    r"^(?P<label>channel\s*/\s*source|channel|source|published(?: on| at)?|uploaded(?: on| by)?"
    r"|upload date|date|duration|length|views|category|publication|posted(?: on)?|author"
    r"|video title|title|video url|url|link|language|original title|speaker|speakers"
    r"|канал|джерело|источник|опубліковано|опубликовано)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
POSTED_BYLINE_RE = re.compile(
    r"^(?:posted|published|written|uploaded)\s+(?:on\s+(?P<date>.+?)(?:\s+by\s+.+)?"
    r"|by\s+.{1,80}?\s+on\s+(?P<date2>.+))$",
    re.IGNORECASE,
)

# Words that say a page is about a video (any interface language seen in the survey).
VIDEO_WORD_RE = re.compile(
    r"\b(?:videos?|vídeos?|vidéos?|видео|відео|відеоролик\w*|videa|video\w*|youtube|youtu\.be"
    r"|vimeo|dailymotion|rumble|bitchute|odysee|twitch|tiktok|subscribe|subscribers|embed"
    r"|transcript|livestream|live stream|footage|documentary|trailer|vlog|webinar"
    r"|suscr[ií]bete|abonnez|abonnieren|підпишіться|подпишитесь|odebírejte|episode|full episode"
    r"|broadcast|watch (?:the|our|this|now|live|full|more|it)|watch:|clip)\b",
    re.IGNORECASE,
)
VIDEO_HOSTS = (
    "youtube.",
    "youtu.be",
    "vimeo.com",
    "dailymotion.",
    "dai.ly",
    "rumble.com",
    "bitchute.com",
    "odysee.com",
    "twitch.tv",
    "tiktok.com",
    "bilibili.",
    "vk.com/video",
    "ok.ru/video",
    "invidious",
    "piped.",
    "yewtu.be",
)
