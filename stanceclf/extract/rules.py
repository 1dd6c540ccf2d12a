"""Rule-based quote extraction over a spaCy parse.

Three passes over one document:

1. quotation-mark segments (:mod:`.quotemarks`) become direct or partial quotes, attributed through
   a speech verb in the same sentence, an attribution fragment right after the quote
   (``"A," he said.``), a colon lead-in in the previous sentence (``He said: "..."``), or, for
   continuation quotes (``"A," he said. "B."`` or a new paragraph), the previous quote's speaker;
   quoted names and titles without any speaker are dropped as non-speech;
2. reported speech without quotation marks: a speech or cognition verb with a complement clause
   (``X said that ...``, ``..., said X.``, ``X was quoted as saying ...``) and ``according to X``;
3. speakers resolved to canonical names by :class:`.speakers.SpeakerResolver`.

Before speakers are resolved, every candidate (from the rules or the tagger) is fitted to the
quotation marks (:func:`settle_drafts`): no quote crosses a quotation mark or runs over a stray
closing mark, and no text is extracted twice (except a quoted fragment inside the reported speech
that holds it).

The module stays whole (about 600 lines) because the passes share one index of quotation marks
per parse and the draft type that :func:`merge_drafts` also uses for the tagger's attributions.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..types import Quote, QuoteKind, Span
from .lexicon import COGNITION_VERBS, SPEECH_VERBS, TITLE_INTRODUCERS
from .quotemarks import QUOTE_CHARS, QuotedSegment, find_quoted_segments
from .speakers import SpeakerResolver

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span as SpacySpan, Token

__all__ = ["extract_from_doc", "rule_drafts", "tagger_drafts", "merge_drafts", "settle_drafts", "resolve_drafts"]

REPORT_VERBS = SPEECH_VERBS | COGNITION_VERBS
_SUBJ = ("nsubj", "nsubjpass", "csubj")
_QUOTE_TOKENS = QUOTE_CHARS | {"'", "\u2018", "\u2019", "``", "''"}


@dataclass
class _Draft:
    content: tuple[int, int]
    kind: QuoteKind
    speaker_token: "Token | None"
    cue: tuple[int, int] | None
    confidence: float
    segment: QuotedSegment | None = None
    inherit: bool = False  # take the previous quote's speaker
    source: str = "rules"


def _doc_text(doc: "Doc") -> str:
    """``doc.text``, cached: spaCy rebuilds the string from its tokens on every access."""
    text = doc.user_data.get("stanceclf_text")
    if text is None:
        text = doc.user_data["stanceclf_text"] = doc.text
    return text


def _quote_marks(doc: "Doc") -> tuple[list[QuotedSegment], "_QuoteIndex"]:
    """The document's quotation-mark segments and their index, computed once per ``Doc``."""
    cached = doc.user_data.get("stanceclf_quote_marks")
    if cached is None:
        segments = find_quoted_segments(_doc_text(doc))
        cached = doc.user_data["stanceclf_quote_marks"] = (segments, _QuoteIndex(segments))
    return cached


def _char_span(doc: "Doc", start: int, end: int) -> Span:
    return Span(start, end, _doc_text(doc)[start:end])


def _token_range_chars(doc: "Doc", start: int, end: int) -> tuple[int, int]:
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


class _QuoteIndex:
    """Which character offsets lie inside quotation marks (marks included)."""

    def __init__(self, segments: list[QuotedSegment]):
        self.ranges = sorted((s.open_mark, s.close_end if s.close_end is not None else s.end) for s in segments)
        self.starts = [r[0] for r in self.ranges]

    def inside(self, offset: int) -> bool:
        k = bisect_right(self.starts, offset) - 1
        return k >= 0 and self.ranges[k][0] <= offset < self.ranges[k][1]

    def overlaps(self, start: int, end: int) -> bool:
        return any(a < end and start < b for a, b in self.ranges)


def _speaker_of(verb: "Token", qindex: "_QuoteIndex | None" = None) -> "Token | None":
    """The subject of a speech verb, climbing through xcomp/advcl/conj chains ("went on to say").

    With ``qindex``, words inside quotation marks are never the speaker: a cue the parser hung on a
    quoted verb (``X said, "It is over," and added, "..."``) takes the subject of the nearest
    earlier speech verb of its sentence instead.
    """
    def quoted(t: "Token") -> bool:
        return qindex is not None and qindex.inside(t.idx)

    tok = verb
    for _ in range(5):
        for child in tok.children:
            if child.dep_ in _SUBJ and any(c.isalpha() for c in child.text) and not quoted(child):
                return child
        # passive "X was quoted as saying": agent-less nsubjpass handled above; "by X" agent
        for child in tok.children:
            if child.dep_ == "agent":
                pobj = next((g for g in child.children if g.dep_ == "pobj"), None)
                if pobj is not None and pobj.lemma_.lower() not in ("reporter", "journalist"):
                    return pobj
        if tok.dep_ in ("xcomp", "advcl", "conj", "pcomp", "ccomp", "acl", "relcl", "prep") and tok.head is not tok:
            if tok.dep_ == "relcl":  # "Peskov, who said ..." -> the noun the clause modifies
                return tok.head
            if quoted(tok.head):
                return _earlier_cue_speaker(verb, qindex)
            tok = tok.head
        else:
            break
    return None


def _earlier_cue_speaker(verb: "Token", qindex: "_QuoteIndex | None") -> "Token | None":
    """Speaker of the nearest speech verb before ``verb`` in its sentence, outside quotation marks."""
    for tok in reversed(verb.doc[verb.sent.start: verb.i]):
        if (tok.lemma_.lower() in SPEECH_VERBS and tok.pos_ in ("VERB", "AUX")
                and not (qindex is not None and qindex.inside(tok.idx))):
            return _speaker_of(tok, qindex)
    return None


def _cue_tokens(sent: "SpacySpan", qindex: _QuoteIndex, verbs: frozenset[str], paragraph: tuple[int, int]) -> list["Token"]:
    return [t for t in sent if t.lemma_.lower() in verbs and t.pos_ in ("VERB", "AUX") and not qindex.inside(t.idx)
            and paragraph[0] <= t.idx < paragraph[1]]


def _paragraph(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end < 0 else end


def _sentence_of(doc: "Doc", offset: int) -> "SpacySpan":
    tok = doc[min(len(doc) - 1, max(0, _token_at(doc, offset)))]
    return tok.sent


def _token_at(doc: "Doc", offset: int) -> int:
    """Index of the token containing (or preceding) character ``offset``."""
    starts = doc.user_data.get("stanceclf_token_starts")
    if starts is None:
        starts = doc.user_data["stanceclf_token_starts"] = [t.idx for t in doc]
    return max(0, bisect_right(starts, offset) - 1)


def _is_sentence_like(doc: "Doc", seg: QuotedSegment, qindex: _QuoteIndex) -> bool:
    """Direct quote: starts a sentence/paragraph or follows a colon/comma lead-in, and starts upper-case."""
    content = _doc_text(doc)[seg.start:seg.end]
    first = next((c for c in content if c.isalnum()), "")
    if not first:
        return False
    line_start = _doc_text(doc).rfind("\n", 0, seg.open_mark) + 1
    before = _doc_text(doc)[line_start:seg.open_mark].rstrip()
    starts_unit = before == "" or before[-1] in ".!?:\u2014-" or before.endswith(("\u201d", '"', "''"))
    after_lead_in = before.endswith(",") and _has_cue_before(doc, before)
    # a lead-in cue with a comma ("Baker said, "but ...") continues a split direct quote
    return after_lead_in or (first.isupper() or first.isdigit()) and starts_unit or (
        starts_unit and len(content.split()) >= 6)


def _has_cue_before(doc: "Doc", before: str) -> bool:
    words = before.lower().replace(",", " ").split()[-4:]
    return any(w in ("said", "says", "added", "told", "asked", "replied", "wrote", "continued", "insisted", "warned") for w in words)


def _looks_like_title(doc: "Doc", seg: QuotedSegment) -> bool:
    words = [w for w in _doc_text(doc)[seg.start:seg.end].split() if any(c.isalpha() for c in w)]
    if not words or len(words) > 10:
        return False
    small = {"a", "an", "the", "and", "or", "of", "in", "on", "for", "to", "at", "by", "with"}
    content_words = [w for w in words if w.lower().strip(",.") not in small]
    capitalised = sum(w[0].isupper() for w in content_words)
    before = _doc_text(doc)[max(0, seg.open_mark - 40):seg.open_mark].lower().split()
    introduced = bool(before) and before[-1].strip(",:") in TITLE_INTRODUCERS
    return bool(content_words) and (capitalised == len(content_words) and (len(words) > 1 or introduced) or introduced)


def _attribution_after(doc: "Doc", seg: QuotedSegment, qindex: _QuoteIndex) -> tuple["Token", "Token"] | None:
    """``"...," he said`` / ``"...," said the minister``: a cue right after the closing mark."""
    if seg.close_mark is None:
        return None
    k = _token_at(doc, seg.close_mark)
    window = doc[k: min(len(doc), k + 8)]
    for tok in window:
        if tok.idx <= seg.close_mark:
            continue
        if qindex.inside(tok.idx) or "\n" in tok.text or tok.text in (".", "!", "?", ";"):
            break
        if tok.lemma_.lower() in SPEECH_VERBS and tok.pos_ in ("VERB", "AUX"):
            subj = _speaker_of(tok, qindex) or next((t for t in tok.rights if t.pos_ in ("PROPN", "NOUN", "PRON")
                                                      and not qindex.inside(t.idx)), None)
            if subj is not None:
                return tok, subj
    return None


def _attribution_before(doc: "Doc", seg: QuotedSegment, qindex: _QuoteIndex) -> tuple["Token", "Token"] | None:
    """``He said: "..."`` (also across a sentence split) and ``He added, "..."``."""
    before = _doc_text(doc)[:seg.open_mark].rstrip()
    if not before or before[-1] not in ":,":
        return None
    k = _token_at(doc, len(before) - 1)
    for tok in reversed(doc[max(0, k - 12): k + 1]):
        if qindex.inside(tok.idx) or "\n" in tok.text or tok.text in (".", "!", "?", ";"):
            break
        if tok.lemma_.lower() in SPEECH_VERBS and tok.pos_ in ("VERB", "AUX"):
            subj = _speaker_of(tok, qindex)
            if subj is not None:
                return tok, subj
    return None


_LEAD_IN = re.compile(r"\s*[,:]?\s*[\"\u201c\u201e\u00ab]")


def _leads_in(doc: "Doc", verb: "Token") -> bool:
    """Is the cue ``verb`` followed by a comma/colon and an opening quotation mark (it introduces a quote)?"""
    return _LEAD_IN.match(_doc_text(doc), verb.idx + len(verb.text)) is not None


def _according_to(sent: "SpacySpan", qindex: _QuoteIndex) -> tuple["Token", "Token"] | None:
    """``According to X, ...``: X is the source of everything in the sentence."""
    for tok in sent:
        if tok.lower_ == "according" and tok.i + 1 < sent.end and tok.nbor().lower_ == "to" and not qindex.inside(tok.idx):
            source = next((c for c in tok.nbor().children if c.dep_ == "pobj"), None)
            if source is not None:
                return tok, source
    return None


def _quote_drafts(doc: "Doc", segments: list[QuotedSegment], qindex: _QuoteIndex) -> list[_Draft]:
    drafts: list[_Draft] = []
    for seg in segments:
        direct = _is_sentence_like(doc, seg, qindex)
        if not direct and _looks_like_title(doc, seg):
            continue  # a name or title in quotation marks ("Bread and Borders"), not speech
        after, before = _attribution_after(doc, seg, qindex), _attribution_before(doc, seg, qindex)
        if after is not None and before is not None and _leads_in(doc, after[0]):
            after = None  # 'X said, "A," and added, "B."': "added" introduces B; A belongs to "said"
        cue_subj = after or before or _according_to(_sentence_of(doc, seg.start), qindex)
        if cue_subj is None:
            sent = _sentence_of(doc, seg.start)
            # the speech verb nearest to the quote in its sentence (outside quotation marks)
            cues = _cue_tokens(sent, qindex, SPEECH_VERBS | (COGNITION_VERBS if not direct else frozenset()),
                               _paragraph(_doc_text(doc), seg.start))
            cues = [c for c in cues if _speaker_of(c, qindex) is not None]
            if cues:
                verb = min(cues, key=lambda t: min(abs(t.idx - seg.open_mark), abs(t.idx - seg.end)))
                cue_subj = (verb, _speaker_of(verb, qindex))
        if cue_subj is not None:
            verb, subj = cue_subj
            cue = (verb.idx, verb.idx + len(verb.text))
            drafts.append(_Draft((seg.start, seg.end), QuoteKind.DIRECT if direct else QuoteKind.PARTIAL,
                                 subj, cue, 0.95 if seg.closed else 0.8, seg))
            continue
        if direct or (drafts and drafts[-1].segment is not None and _continues(doc, drafts[-1].segment, seg)):
            # a continuation: "A," he said. "B." / a new paragraph of the same quote
            drafts.append(_Draft((seg.start, seg.end), QuoteKind.DIRECT if direct else QuoteKind.PARTIAL,
                                 None, None, 0.7 if seg.closed else 0.6, seg, inherit=True))
            continue
        words = _doc_text(doc)[seg.start:seg.end].split()
        if len(words) >= 4:  # a longer fragment with no visible speaker: keep, flagged by low confidence
            drafts.append(_Draft((seg.start, seg.end), QuoteKind.PARTIAL, None, None, 0.4, seg, inherit=True))
    return drafts


def _continues(doc: "Doc", prev: QuotedSegment, seg: QuotedSegment) -> bool:
    """Is ``seg`` a continuation of ``prev`` (same paragraph run, or re-opened paragraph)?"""
    if prev.continues:
        return True
    between = _doc_text(doc)[prev.close_end if prev.close_end is not None else prev.end + 1: seg.open_mark]
    return "\n\n" not in between and len(between) < 120


def _clause_range(clause: "Token") -> tuple[int, int] | None:
    """Token range of a complement clause without its 'that' and closing punctuation."""
    toks = [t for t in clause.subtree]
    while toks and (toks[0].dep_ == "mark" and toks[0].lower_ in ("that", "if", "whether") or _edge_junk(toks[0])):
        toks = toks[1:]
    while toks and _edge_junk(toks[-1]) and toks[-1].text not in ("%",):
        toks = toks[:-1]
    if len(toks) < 3:
        return None
    return toks[0].i, toks[-1].i + 1


def _edge_junk(tok: "Token") -> bool:
    return tok.is_punct or tok.is_space


def _trimmed_chars(doc: "Doc", toks: list["Token"]) -> tuple[int, int] | None:
    """Character range of ``toks`` without edge punctuation/space; None when under 3 tokens remain."""
    while toks and _edge_junk(toks[0]):
        toks = toks[1:]
    while toks and _edge_junk(toks[-1]):
        toks = toks[:-1]
    if len(toks) < 3:
        return None
    return _token_range_chars(doc, toks[0].i, toks[-1].i + 1)


def _reported_drafts(doc: "Doc", qindex: _QuoteIndex) -> list[_Draft]:
    drafts: list[_Draft] = []
    for tok in doc:
        lemma = tok.lemma_.lower()
        if qindex.inside(tok.idx):
            continue
        if lemma in SPEECH_VERBS and tok.dep_ == "parataxis" and tok.head.pos_ in ("VERB", "AUX"):
            # "The talks, Barden says, have collapsed." / "..., she said."
            subj = _speaker_of(tok, qindex)
            if subj is None or subj.lower_ in ("i", "we", "you", "it"):
                continue
            inner = {t.i for t in tok.subtree}
            chars = _trimmed_chars(doc, [t for t in tok.head.subtree if t.i not in inner])
            if chars is None:
                continue
            start, end = chars
            if not qindex.overlaps(start, end):
                drafts.append(_Draft((start, end), QuoteKind.INDIRECT, subj, (tok.idx, tok.idx + len(tok.text)), 0.7))
            continue
        if lemma in REPORT_VERBS and tok.pos_ in ("VERB", "AUX"):
            clause = next((c for c in tok.children if c.dep_ == "ccomp"), None)
            if clause is None:
                continue
            rng = _clause_range(clause)
            if rng is None:
                continue
            start, end = _token_range_chars(doc, *rng)
            if qindex.overlaps(start, end):
                continue  # a direct quote's frame: handled by the quotation-mark pass
            subj = _speaker_of(tok, qindex)
            if subj is None or subj.i in range(*rng):
                continue
            if subj.lower_ in ("i", "we", "you") or subj.lower_ == "it":
                continue
            confidence = 0.75 if lemma in SPEECH_VERBS else 0.55
            drafts.append(_Draft((start, end), QuoteKind.INDIRECT, subj, (tok.idx, tok.idx + len(tok.text)), confidence))
        elif tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            to = doc[tok.i + 1]
            source = next((c for c in to.children if c.dep_ == "pobj"), None)
            if source is None:
                continue
            sent = tok.sent
            phrase = set(t.i for t in tok.subtree) | {tok.i, to.i} | set(t.i for t in source.subtree)
            chars = _trimmed_chars(doc, [t for t in sent if t.i not in phrase])
            if chars is None:
                continue
            start, end = chars
            if qindex.overlaps(start, end):
                continue
            drafts.append(_Draft((start, end), QuoteKind.INDIRECT, source, (tok.idx, to.idx + len(to.text)), 0.7))
    return drafts


_HEADLINE_LABELS = frozenset(
    "analysis opinion editorial update watch exclusive breaking live video photos review explainer factbox "
    "timeline correction note editor's update: q&a podcast".split()
)


def _headline_drafts(doc: "Doc", qindex: _QuoteIndex) -> list[_Draft]:
    """``Trump: 'I'm the worst thing that ever happened to the establishment.'`` as a one-line paragraph."""
    text = _doc_text(doc)
    drafts: list[_Draft] = []
    offset = 0
    for line in text.split("\n"):
        start_of_line, offset = offset, offset + len(line) + 1
        colon = line.find(": ")
        if colon <= 0 or len(line) > 250:
            continue
        prefix = line[:colon].strip()
        words = prefix.split()
        if not (1 <= len(words) <= 4) or prefix.lower() in _HEADLINE_LABELS or not all(w[:1].isupper() for w in words):
            continue
        claim_start = start_of_line + colon + 2
        claim_end = start_of_line + len(line.rstrip())
        while claim_end > claim_start and text[claim_end - 1] in ".!? ":
            claim_end -= 1
        while claim_start < claim_end and text[claim_start] in QUOTE_CHARS | {"‘", "'"}:
            claim_start += 1
        while claim_end > claim_start and text[claim_end - 1] in QUOTE_CHARS | {"’", "'"}:
            claim_end -= 1
        if len(text[claim_start:claim_end].split()) < 3:
            continue
        speaker_tok = doc[_token_at(doc, start_of_line + line.find(words[-1]))]
        drafts.append(_Draft((claim_start, claim_end), QuoteKind.INDIRECT, speaker_tok,
                             (start_of_line + colon, start_of_line + colon + 1), 0.6))
    return drafts


def rule_drafts(doc: "Doc") -> list[_Draft]:
    """Candidate quotes found by the rules, before speaker resolution."""
    segments, qindex = _quote_marks(doc)
    headlines = _headline_drafts(doc, qindex)
    covered = [d.content for d in headlines]
    return [d for d in _quote_drafts(doc, segments, qindex) + _reported_drafts(doc, qindex)
            if not any(a <= d.content[0] and d.content[1] <= b for a, b in covered)] + headlines


def extract_from_doc(doc: "Doc") -> list[Quote]:
    """Extract quotes from a parsed spaCy ``Doc`` with the rules (see the module docstring)."""
    return resolve_drafts(doc, rule_drafts(doc))


def resolve_drafts(doc: "Doc", drafts: list[_Draft]) -> list[Quote]:
    """Resolve speakers (in document order, so pronouns see earlier speakers) and build quotes."""
    drafts = settle_drafts(doc, drafts)
    resolver = SpeakerResolver(doc)
    quotes: list[Quote] = []
    recent: list[str] = []
    for draft in drafts:
        speaker, mention = None, None
        cue = _char_span(doc, *draft.cue) if draft.cue else None
        if draft.speaker_token is not None:
            speaker, (m_start, m_end) = resolver.resolve(draft.speaker_token, recent)
            mention = _char_span(doc, *_token_range_chars(doc, m_start, m_end))
        elif draft.inherit and quotes:
            prev = quotes[-1]
            speaker, mention = prev.speaker, prev.speaker_mention
            if cue is None and draft.segment is not None:
                cue = prev.cue  # "A," she said. "B.": the same cue attributes the continuation
        confidence = draft.confidence if speaker else draft.confidence * 0.6
        quotes.append(Quote(
            content=_char_span(doc, *draft.content), kind=draft.kind, speaker=speaker, speaker_mention=mention,
            cue=cue, confidence=round(confidence, 4), source=draft.source,
        ))
        if speaker:
            recent.append(speaker)
    return _inherit_forward(quotes, drafts_by_start={d.content[0]: d for d in drafts})


def kind_of_span(doc: "Doc", start: int, end: int) -> QuoteKind:
    """direct / partial / indirect for a content span found without the quotation-mark pass."""
    text = _doc_text(doc)
    segments, qindex = _quote_marks(doc)
    inside = sum(max(0, min(end, s.end) - max(start, s.start)) for s in segments)
    length = max(1, len(text[start:end].strip()))
    if inside == 0:
        return QuoteKind.INDIRECT
    if inside / length >= 0.9:
        seg = next(s for s in segments if s.start < end and start < s.end)
        return QuoteKind.DIRECT if _is_sentence_like(doc, seg, qindex) else QuoteKind.PARTIAL
    return QuoteKind.PARTIAL


def tagger_drafts(doc: "Doc", attributions: list[Any]) -> list[_Draft]:
    """Drafts from the span tagger's attributions (content, cue, source character spans)."""
    drafts = []
    segments, qindex = _quote_marks(doc)
    titles = [(s.start, s.end) for s in segments
              if not _is_sentence_like(doc, s, qindex) and _looks_like_title(doc, s)]
    for att in attributions:
        start, end = att.content.start, att.content.end
        # quotation marks belong outside the content
        text = _doc_text(doc)
        while start < end and (text[start] in _QUOTE_TOKENS or text[start].isspace()):
            start += 1
        while end > start and (text[end - 1] in _QUOTE_TOKENS or text[end - 1].isspace()):
            end -= 1
        if end <= start or any(a <= start and end <= b for a, b in titles):
            continue  # empty, or a quoted title/name the rules know is not speech
        speaker_token = None
        if att.source is not None:
            span = doc.char_span(att.source.start, att.source.end, alignment_mode="expand")
            if span is not None and len(span):
                speaker_token = span.root
        cue = (att.cue.start, att.cue.end) if att.cue is not None else None
        drafts.append(_Draft((start, end), kind_of_span(doc, start, end), speaker_token, cue,
                             float(att.score), source="tagger", inherit=speaker_token is None))
    return drafts


def _jaccard(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def merge_drafts(rules: list[_Draft], tagged: list[_Draft], keep_unconfirmed_rules: float = 0.7) -> list[_Draft]:
    """Hybrid: the tagger decides *what* is an attribution, the rules refine *where* and *who*.

    A rule quote that overlaps a tagged content keeps its (quotation-mark exact) boundaries and its
    speaker; tagged contents no rule found are added; rule quotes the tagger did not confirm are
    kept only when confident (quotation-mark quotes with a speaker).
    """
    merged: list[_Draft] = []
    confirmed: set[int] = set()
    for t in tagged:
        overlapping = [i for i, r in enumerate(rules) if _jaccard(r.content, t.content) >= 0.3]
        if overlapping:
            confirmed.update(overlapping)
            continue
        merged.append(t)
    for i, r in enumerate(rules):
        if i in confirmed or r.confidence >= keep_unconfirmed_rules:
            merged.append(replace(r, confidence=min(1.0, r.confidence + 0.05)) if i in confirmed else r)
    return merged


def _inherit_forward(quotes: list[Quote], drafts_by_start: dict[int, _Draft]) -> list[Quote]:
    """A quote paragraph left open ("...\n\n"...," she said) takes the speaker of what follows."""
    out = list(quotes)
    for k in range(len(out) - 2, -1, -1):
        q, nxt = out[k], out[k + 1]
        draft = drafts_by_start.get(q.start)
        if q.speaker is None and draft is not None and draft.segment is not None and draft.segment.continues and nxt.speaker:
            out[k] = replace(q, speaker=nxt.speaker, speaker_mention=nxt.speaker_mention,
                             confidence=round(min(0.7, q.confidence / 0.6), 4))
    return out


def _fit_to_marks(text: str, content: tuple[int, int], segments: list[QuotedSegment],
                  stray_closers: list[int]) -> tuple[int, int] | None:
    """``content`` fitted to the quotation marks, or None when no letter or digit is left.

    A content that starts inside a quoted segment ends with the segment (it never runs past the
    closing mark); one that holds part of a segment and text before it, or starts right at the
    segment, takes the whole segment, marks included (so its marks stay balanced); none runs over a
    stray closing mark ``”`` (one after a non-space that closes no segment: ``we will win” and left``
    ends at the mark).
    """
    a, b = content
    for seg in segments:
        if seg.open_mark >= b:
            break
        if b <= seg.start or a >= seg.end or (seg.start <= a and b <= seg.end):
            continue  # apart, or inside the segment
        if a > seg.start:
            b = seg.end  # starts mid-quote: ends with it
        else:
            a = min(a, seg.open_mark)
            b = max(b, seg.close_end if seg.close_end is not None else seg.end)
    k = bisect_right(stray_closers, a)
    if k < len(stray_closers) and stray_closers[k] < b:
        b = stray_closers[k]
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if not any(c.isalnum() for c in text[a:b]):
        return None
    return a, b


def settle_drafts(doc: "Doc", drafts: list[_Draft]) -> list[_Draft]:
    """Fit every draft to the quotation marks and extract no text twice; in document order.

    Contents are fitted by :func:`_fit_to_marks` (drafts without a letter or digit are dropped).
    A draft inside another is dropped, and the outer one takes its speaker when it has none (an
    attribution's content holds what it quotes; between equal spans the quotation-mark draft, then
    the more confident one, is kept). Where two contents cross, the shorter keeps its text and the
    longer is cut back to its larger part outside it. One nesting is kept on purpose: a quoted
    fragment (the content of a closed pair of quotation marks) inside a longer content that holds it
    with its marks (``that her government "will not tolerate" foreign troops`` and ``will not
    tolerate``): the partial quote and the reported speech around it.
    """
    text = _doc_text(doc)
    segments, qindex = _quote_marks(doc)
    stray = [i for i, c in enumerate(text) if c == _CLOSER and i > 0 and not text[i - 1].isspace()
             and not qindex.inside(i)] if _CLOSER in text else []
    fragments = {(seg.start, seg.end): seg for seg in segments if seg.close_mark is not None}

    def nests(inner: tuple[int, int], outer: tuple[int, int]) -> bool:
        frag = fragments.get(inner)
        return frag is not None and outer[0] <= frag.open_mark and frag.close_mark < outer[1]  # type: ignore[operator]

    fitted = []
    for d in drafts:
        span = _fit_to_marks(text, d.content, segments, stray)
        if span is not None:
            fitted.append(d if span == d.content else replace(d, content=span))
    # 1. containment: the outer draft wins
    fitted.sort(key=lambda d: (d.content[0] - d.content[1], d.segment is None, -d.confidence, d.content[0]))
    outer_kept: list[_Draft] = []
    for d in fitted:
        (a, b) = d.content
        k = next((k for k, o in enumerate(outer_kept) if o.content[0] <= a and b <= o.content[1]
                  and not nests(d.content, o.content)), None)
        if k is None:
            outer_kept.append(d)
            continue
        outer = outer_kept[k]
        if outer.speaker_token is None and d.speaker_token is not None:
            outer_kept[k] = replace(outer, speaker_token=d.speaker_token, cue=outer.cue or d.cue, inherit=False)
    # 2. crossing contents: the shorter keeps its text, the longer is cut back
    kept: list[_Draft] = []
    for d in reversed(outer_kept):  # shortest first
        a, b = d.content
        for o in kept:
            oa, ob = o.content
            if ob <= a or b <= oa or nests(o.content, (a, b)):
                continue
            a, b = (a, oa) if oa - a >= b - ob else (ob, b)  # the larger part outside ``o``
            while a < b and (text[a].isspace() or text[a] in ",;:"):
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
        if b > a and any(c.isalnum() for c in text[a:b]) and (a, b) not in [o.content for o in kept]:
            kept.append(d if (a, b) == d.content else replace(d, content=(a, b)))
    return sorted(kept, key=lambda d: d.content)


_CLOSER = "\u201d"
