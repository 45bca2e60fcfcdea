"""Words, stems and the one stopword list, shared by BM25, the passage window, the verifier and the evals;
the languages an article or a question can be in (detected offline, stemmed with its own stemmer); and the
lexicon: the words and patterns the rules use, as named tables in one place.

Rules elsewhere build their regular expressions from the lexicon's tables, so a word added here reaches every
rule that needs it (question shape, claims, refusals, perturbations, answer types, the verifier, dates). This
module imports nothing from the package: the ground floor everything that reads words stands on.
"""

from __future__ import annotations

import calendar
import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

# === the lexicon ==================================================================================


def alternation(words: Iterable[str]) -> str:
    """The words as one regex alternation ("is|are|was"), in the order given."""
    return "|".join(words)


# --- auxiliary verbs -------------------------------------------------------------------------------
# The one table of auxiliaries that open a yes/no question ("Did ...?", "Is ...?") or carry a negation
# ("did not"), by verb; the rules that want only some of them compose these groups.
BE_FORMS = ("is", "are", "was", "were")
DO_FORMS = ("do", "does", "did")
PRESENT_HAVE = ("has", "have")
HAVE_FORMS = PRESENT_HAVE + ("had",)
MODAL_FORMS = ("can", "could", "will", "would", "should")
AUXILIARIES = BE_FORMS + DO_FORMS + HAVE_FORMS + MODAL_FORMS
AUXILIARY_PATTERN = alternation(AUXILIARIES)
# Modals that hedge a statement but do not open a question here.
MODALS = ("may", "might")


def auxiliary_subset(words: str) -> tuple[str, ...]:
    """A named selection from AUXILIARIES (space-separated, order kept); a word outside the table is an error."""
    chosen = tuple(words.split())
    unknown = [w for w in chosen if w not in AUXILIARIES]
    if unknown:
        raise ValueError(f"not auxiliaries: {unknown}")
    return chosen


# --- calendar --------------------------------------------------------------------------------------
# Month names from the standard library, full and abbreviated, lower case -> month number.
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_LONGEST_FIRST = sorted(MONTHS, key=len, reverse=True)  # so "september" is tried before "sep"
MONTH_PATTERN = alternation(_LONGEST_FIRST)  # lower case: for lowered text or re.I
# A month as running text writes it, capitalised ("Jan", "Sept", "December"): a case-sensitive group.
MONTH_NAME_PATTERN = "(?:" + alternation(name.capitalize() for name in _LONGEST_FIRST) + ")"
MONTH_ABBREVIATIONS = tuple(name.lower() for name in calendar.month_abbr if name)
# A month's abbreviation and whatever letters follow it ("Jan", "Janu", "January"): lower case, and capitalised.
MONTH_PREFIX_PATTERN = "(?:" + alternation(MONTH_ABBREVIATIONS) + ")[a-z]*"
CAPITALISED_MONTH_PREFIX_PATTERN = "(?:" + alternation(a.capitalize() for a in MONTH_ABBREVIATIONS) + ")[a-z]*"
WEEKDAYS = tuple(name.lower() for name in calendar.day_name)
# Capitalised words that are dates, never names: the weekdays and the full month names.
CALENDAR_WORDS = frozenset(WEEKDAYS) | frozenset(name.lower() for name in calendar.month_name if name)

# --- reporting -------------------------------------------------------------------------------------
# Words for a piece of reporting ("the TechCrunch article", "a Reuters report").
REPORT_WORDS = ("article", "report", "piece", "story", "analysis", "coverage", "op-ed", "review")
REPORT_WORD_PATTERN = r"(?:" + alternation(REPORT_WORDS) + r")s?"

# --- negation and opposites (the verifier) ---------------------------------------------------------
NEGATIONS = frozenset("not no never none nobody nothing neither nor without cannot n't denied denies deny".split())
# Pairs a sentence may turn into each other while keeping every other word of the source.
OPPOSITES = {
    "increase": "decrease", "rise": "fall", "win": "lose", "approve": "reject", "hire": "fire", "buy": "sell",
    "open": "close", "before": "after", "more": "fewer", "higher": "lower", "gain": "loss", "support": "oppose",
    "accept": "refuse", "join": "leave", "raise": "cut", "first": "last", "largest": "smallest", "start": "end",
    "allow": "ban", "up": "down", "profit": "loss", "above": "below", "best": "worst", "success": "failure",
    "confirm": "deny", "guilty": "innocent", "former": "current", "old": "new", "early": "late", "add": "remove",
}
# Past forms the stemmer does not bring back to the verb the opposites list.
IRREGULAR_VERBS = {"won": "win", "lost": "lose", "rose": "rise", "fell": "fall", "bought": "buy", "sold": "sell",
                   "left": "leave", "began": "start", "ended": "end", "denied": "deny"}
# Words that mark an office-holder as no longer (or not fully) in office, and the offices they qualify.
QUALIFIERS = r"former|ex-|ousted|late|acting|interim|outgoing|deposed|retired"
TITLES = r"president|prime minister|minister|chancellor|ceo|chief executive|chairman|chair|mayor|governor|senator|" \
         r"director|coach|manager|king|queen|leader|secretary|speaker|commander"


# === words and stems ==============================================================================

_stemmer = Stemmer.Stemmer("english")

# Function words that carry no fact: left out of BM25 queries and of every overlap measure.
STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being it its this that "
    "these those there their they them he she his her him we our you your i me my not no yes do does did has have "
    "had will would can could should may might also than then so such which who whom whose what when where why how "
    "about into over after before during while said says say according".split()
)

WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.-]*")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION_RUN = re.compile(f"[{re.escape(string.punctuation)}]+")  # one regex pass: 3x faster than a per-character loop


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word.lower())


def words(text: str) -> list[str]:
    """Lower-case words; thousands separators dropped so "1,000" and "1000" agree (strip citation markers first)."""
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    return [w.lower().strip(".'’-") for w in WORD.findall(text)]


def content_words(text: str) -> set[str]:
    """Stems of the words that carry content (stopwords and one-letter tokens left out)."""
    return {stem(w) for w in words(text) if len(w) > 1 and w not in STOPWORDS}


def normalize_answer(text: str) -> str:
    """Lower-case, no punctuation, no articles, single spaces (SQuAD-style)."""
    text = text.lower().replace("’", "'")
    text = _PUNCTUATION_RUN.sub("", text)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


NAME = re.compile(r"(?<![\w’'])(?:[A-Z][a-z][\w’'-]*|[A-Z]{2,}[\w-]*)(?:\s+(?:of\s+|de\s+|van\s+)?(?:[A-Z][a-z][\w’'-]*|[A-Z]{2,}[\w-]*|[A-Z]\b\.?))*")


def names(sentence: str) -> list[str]:
    """Capitalised names in a sentence (not its first word, which is capitalised whatever it is), possessives cut."""
    found = []
    for match in NAME.finditer(sentence):
        parts = match.group(0).split()
        if match.start() == 0 or sentence[:match.start()].strip() in ("“", '"', "‘", "'", "("):
            parts = parts[1:]
        name = re.sub(r"['’]s$", "", " ".join(parts)).strip()
        if len(name) >= 2 and not all(p.lower() in CALENDAR_WORDS | STOPWORDS for p in name.split()):
            found.append(name)
    return list(dict.fromkeys(found))


# --- languages -----------------------------------------------------------------------------------
ENGLISH = "en"


@dataclass(frozen=True)
class LanguageInfo:
    code: str  # ISO 639-1, as stored in chunk metadata ("language")
    name: str  # in English, for an instruction such as "Answer in French."
    stemmer: str  # PyStemmer (Snowball) algorithm
    stopwords: str  # name of the bm25s stopword list ("" = the project's English STOPWORDS, or none)
    detector: tuple[str, ...]  # lingua Language names that map to this code
    question_words: frozenset[str] = frozenset()  # short questions are often told apart by these alone


# The languages an article is detected in and stemmed for: each has a Snowball stemmer; the detector
# only chooses among these, so every detected language can be stemmed.
LANGUAGES: dict[str, LanguageInfo] = {info.code: info for info in [
    LanguageInfo("en", "English", "english", "", ("ENGLISH",),
                 frozenset("who what when where which why how whom whose".split()) | frozenset(DO_FORMS + BE_FORMS)),
    LanguageInfo("fr", "French", "french", "STOPWORDS_FRENCH", ("FRENCH",),
                 frozenset("qui que quoi quel quelle quels quelles où quand comment pourquoi combien est-ce".split())),
    LanguageInfo("de", "German", "german", "STOPWORDS_GERMAN", ("GERMAN",),
                 frozenset("wer wen wem was wann wo wie warum welche welcher welches wieviel weshalb".split())),
    LanguageInfo("es", "Spanish", "spanish", "STOPWORDS_SPANISH", ("SPANISH",),
                 frozenset("qué quién quiénes cuándo dónde cómo cuánto cuánta cuántos cuántas cuál cuáles".split())),
    LanguageInfo("it", "Italian", "italian", "STOPWORDS_ITALIAN", ("ITALIAN",),
                 frozenset("chi cosa quando dove come perché quanto quanti quale quali".split())),
    LanguageInfo("pt", "Portuguese", "portuguese", "STOPWORDS_PORTUGUESE", ("PORTUGUESE",),
                 frozenset("quem quando onde como quanto quantos qual quais porquê".split())),
    LanguageInfo("nl", "Dutch", "dutch", "STOPWORDS_DUTCH", ("DUTCH",),
                 frozenset("wie wat wanneer waar hoe waarom welke hoeveel".split())),
    LanguageInfo("sv", "Swedish", "swedish", "STOPWORDS_SWEDISH", ("SWEDISH",)),
    LanguageInfo("no", "Norwegian", "norwegian", "STOPWORDS_NORWEGIAN", ("BOKMAL", "NYNORSK")),
    LanguageInfo("da", "Danish", "danish", "STOPWORDS_DANISH", ("DANISH",)),
    LanguageInfo("fi", "Finnish", "finnish", "", ("FINNISH",)),
    LanguageInfo("ru", "Russian", "russian", "STOPWORDS_RUSSIAN", ("RUSSIAN",)),
    LanguageInfo("tr", "Turkish", "turkish", "STOPWORDS_TURKISH", ("TURKISH",)),
]}

SHORT_TEXT_WORDS = 25  # below this many words the detector's n-grams are unreliable; function words decide first
MIN_CONFIDENCE = 0.5  # a detector guess below this is not taken
_LETTERS = re.compile(r"[^\W\d_]{2,}")


def language_of(code: str | None) -> LanguageInfo:
    """The table row for a stored code; English for none or a code the table does not hold."""
    return LANGUAGES.get(code or ENGLISH) or LANGUAGES[ENGLISH]


def language_name(code: str | None) -> str:
    return language_of(code).name


@lru_cache(maxsize=None)
def stopwords_for(code: str) -> frozenset[str]:
    """The BM25 stopwords of a language (English: the project's own list, so English ranking is unchanged)."""
    info = language_of(code)
    if info.code == ENGLISH:
        return STOPWORDS
    if not info.stopwords:
        return frozenset()
    from bm25s import stopwords as lists
    return frozenset(getattr(lists, info.stopwords))


@lru_cache(maxsize=None)
def stemmer_for(code: str) -> Callable[[str], str]:
    """A cached stem function per language (English: `stem` itself)."""
    info = language_of(code)
    if info.code == ENGLISH:
        return stem
    stemmer = Stemmer.Stemmer(info.stemmer)
    return lru_cache(maxsize=200_000)(lambda word: stemmer.stemWord(word.lower()))


@lru_cache(maxsize=1)
def _detector():
    """lingua over the table's languages, low-accuracy mode: ~60 MB and a fraction of a second to build, and
    reliable on article-length text (its high-accuracy mode needs ~450 MB for these languages)."""
    from lingua import Language, LanguageDetectorBuilder
    chosen = [getattr(Language, name) for info in LANGUAGES.values() for name in info.detector]
    return LanguageDetectorBuilder.from_languages(*chosen).with_low_accuracy_mode().build()


_BY_DETECTOR_NAME = {name: info.code for info in LANGUAGES.values() for name in info.detector}


QUESTION_WORD_WEIGHT = 2  # "combien", "wann", "cuántos" belong to one language; "a", "le", "die" to several


def _function_word_votes(tokens: list[str]) -> list[tuple[str, int]]:
    """Each language's score: its stopwords among the words, its question words counted double; most first."""
    votes = []
    for code, info in LANGUAGES.items():
        stops = stopwords_for(code)
        votes.append((code, sum((t in stops) + QUESTION_WORD_WEIGHT * (t in info.question_words) for t in tokens)))
    return sorted(votes, key=lambda pair: -pair[1])


def _detector_confidence(text: str) -> dict[str, float]:
    """The detector's confidence per table language (0 for those it gives nothing)."""
    confidence: dict[str, float] = {}
    for value in _detector().compute_language_confidence_values(text):
        code = _BY_DETECTOR_NAME.get(value.language.name)
        if code:
            confidence[code] = confidence.get(code, 0.0) + float(value.value)
    return confidence


def detect_language(text: str, default: str = ENGLISH) -> str:
    """The ISO 639-1 code of the text's language among LANGUAGES, or `default` when it cannot be told.

    Article-length text: the detector's guess. A short text (a question): its function words first
    ("Combien a coûté le tramway ?" has two French ones; a tie with Spanish "a", "le" goes to the
    detector's better guess of the two), then the detector alone, then `default`.
    """
    sample = text[:3000]
    tokens = [t.lower() for t in re.findall(r"[\w'’-]+", sample)]
    if len(_LETTERS.findall(sample)) < 2:
        return default
    votes = _function_word_votes(tokens)
    top_votes, second_votes = votes[0][1], votes[1][1]
    confidence = _detector_confidence(sample)
    if len(tokens) < SHORT_TEXT_WORDS and top_votes >= 2:
        tied = [code for code, n in votes if n == top_votes]
        return max(tied, key=lambda code: confidence.get(code, 0.0))
    guess = max(confidence, key=confidence.get, default=None)
    if guess is not None and confidence[guess] >= MIN_CONFIDENCE:
        return guess
    return votes[0][0] if top_votes > second_votes else default


def answer_language_line(question: str) -> str:
    """The prompt line asking for an answer in the question's language: empty for English, so English prompts
    stay byte for byte what they were (and English figures with them)."""
    code = detect_language(question)
    return "" if code == ENGLISH else f"Write the answer in {language_name(code)}, the language of the question.\n"
