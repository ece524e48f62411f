using System.Globalization;
using System.Text.RegularExpressions;
using MemoryFabric.Conversation;
using MemoryFabric.Retrieval;
using MemoryFabric.Text;

namespace MemoryFabric.Guard;

/// <summary>
/// The guard's checks that need no trust labels, built over the history (the turns, each with its speaker and
/// session). They rest on who speaks about whom, and on how many independent voices stand behind a claim:
/// <list type="bullet">
/// <item><b>Standing</b>: a speaker's turns in sessions where someone else also spoke (a dialogue). An
/// <i>established</i> speaker has at least <see cref="EstablishedTurns"/> of them; a voice that only ever spoke
/// alone has none.</item>
/// <item><b>Hearsay against the subject's own account</b>: a turn that names an established person in the third
/// person, spoken by someone who never shared a session with that person (the subject was not there to contest it),
/// whose topic is one the subject spoke about (two of its terms appear together in one of the subject's own turns)
/// and which adds what none of those turns of the subject says: the subject's own first-person account outranks it.
/// What the subject says of themselves, later changes included, is never hearsay; a new fact on a topic the subject
/// never spoke about contradicts nothing and passes; so does talk about someone who is not an established
/// speaker.</item>
/// <item><b>One source, not repetitions</b>: claims of voices without standing (about others or the world, not about
/// themselves) that repeat one another count as one source: when one of them is flagged on its own they all are, and
/// when <see cref="ChorusVoices"/> or more such voices repeat a claim the established history never states, it is
/// an uncorroborated rumour and all its voices are flagged.</item>
/// <item><b>Retrieval bait</b>: text of a voice without standing that is mostly its own keywords (content words
/// repeated), or that answers a question it poses behind an answer marker ("Q … A:", "…? answer: …", "…? -> …"), is
/// written to be retrieved, not to record anything.</item>
/// </list>
/// Assistant and system turns (the agent's own words) are never checked.
/// </summary>
internal sealed partial class TestimonyCheck
{
    /// <summary>The detector name of items these checks quarantine.</summary>
    public const string DetectorName = "testimony";

    /// <summary>The dialogue turns a speaker needs to be established (to have an own account and standing).</summary>
    public const int EstablishedTurns = 3;

    /// <summary>How many voices without standing repeating an uncorroborated claim make it a rumour.</summary>
    public const int ChorusVoices = 3;

    /// <summary>The share of a text's content words that are repeats from which it reads as keyword stuffing.</summary>
    public const double RepeatShare = 0.45;

    private readonly Dictionary<string, string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);

    private TestimonyCheck()
    {
    }

    /// <summary>The flagged turns, each with its reason.</summary>
    public IReadOnlyDictionary<string, string> Flags => _flags;

    /// <summary>Checks a history.</summary>
    /// <param name="turns">The turns, oldest first, quarantined ones included.</param>
    /// <param name="isQuarantined">Whether a turn is quarantined: it is no one's account and gives no standing,
    /// but its repetitions by other new voices share its verdict, and what holds it leaves the results.</param>
    /// <returns>The verdicts.</returns>
    public static TestimonyCheck Build(IEnumerable<Turn> turns, Func<string, bool>? isQuarantined = null)
    {
        ArgumentNullException.ThrowIfNull(turns);
        var check = new TestimonyCheck();
        check.Run(turns.ToList(), isQuarantined ?? (_ => false));
        return check;
    }

    /// <summary>The verdicts on a retrieval candidate: its flagged turns (a note or an episode holding one is kept
    /// out of the results too; a note is flagged with its source turn, an episode when all its turns are). A note or
    /// an episode holding a turn quarantined since it was built is kept out of the results, not flagged.</summary>
    /// <param name="kind">The candidate's kind.</param>
    /// <param name="itemId">The candidate's id.</param>
    /// <param name="turnIds">Its turns: the turn itself, a note's source turns or an episode's turns (released
    /// ones left out).</param>
    /// <returns>Whether the candidate leaves the results, and the items to flag, each with its reason.</returns>
    public (bool Drop, IReadOnlyList<(string Id, string Reason)> Flags) Judge(MemoryItemKind kind, string itemId, IReadOnlyList<string> turnIds)
    {
        ArgumentNullException.ThrowIfNull(turnIds);
        var flagged = turnIds.Where(_flags.ContainsKey).Select(id => (Id: id, Reason: _flags[id])).ToList();
        var held = kind != MemoryItemKind.Turn && turnIds.Any(_held.Contains);
        if (flagged.Count != 0 && kind != MemoryItemKind.Turn && (kind == MemoryItemKind.Note || flagged.Count == turnIds.Count))
        {
            flagged.Add((itemId, $"{flagged[0].Reason} (derived from turn {flagged[0].Id})"));
        }

        return (flagged.Count != 0 || held, flagged);
    }

    /// <summary>The reason a turn is flagged, or <see langword="null"/>.</summary>
    /// <param name="turnId">The turn id.</param>
    /// <returns>The reason.</returns>
    public string? ReasonFor(string turnId) => _flags.GetValueOrDefault(turnId);

    /// <summary>Why a text reads as retrieval bait, or <see langword="null"/>: mostly its own repeated keywords, or
    /// a question it answers itself behind an answer marker.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The reason.</returns>
    public static string? BaitReason(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (SelfAnswered().Match(text) is { Success: true } qa)
        {
            return $"it poses a question and answers it behind a marker ('{Clip(qa.Value)}')";
        }

        var words = TextAnalyzer.ContentWords(text).Where(w => w.Length > 1).ToList();
        if (words.Count >= 6)
        {
            var repeats = words.Count - words.Distinct(StringComparer.Ordinal).Count();
            var share = (double)repeats / words.Count;
            if (share >= RepeatShare)
            {
                var repeated = words.GroupBy(w => w, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).Take(6);
                return string.Create(CultureInfo.InvariantCulture,
                    $"{share:P0} of its content words are repeats ('{string.Join(" ", repeated)}'): keywords written to be found");
            }
        }

        return null;
    }

    /// <summary>The established people a text names in the third person (not addressed by name, not the
    /// speaker), by name or by a capitalised short form of it ("Mel" for Melanie).</summary>
    /// <param name="text">The text.</param>
    /// <param name="speaker">Who says it.</param>
    /// <param name="people">The established speakers.</param>
    /// <returns>The people named.</returns>
    public static IEnumerable<string> ThirdPersonSubjects(string text, string speaker, IEnumerable<string> people)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(people);
        foreach (var person in people)
        {
            if (string.Equals(person, speaker, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var first = person.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
            if (first.Length < 2)
            {
                continue;
            }

            foreach (Match m in Word().Matches(text))
            {
                var named = string.Equals(m.Value, first, StringComparison.OrdinalIgnoreCase)
                    || (m.Value.Length >= 3 && char.IsUpper(m.Value[0]) && first.StartsWith(m.Value, StringComparison.OrdinalIgnoreCase)
                        && !EnglishStopwords.Contains(m.Value.ToLowerInvariant())); // "And" is not Andrew
                if (named && !IsVocative(text, m.Index, m.Length))
                {
                    yield return person;
                    break;
                }
            }
        }
    }

    private void Run(List<Turn> all, Func<string, bool> isQuarantined)
    {
        var turns = all.Where(t => !isQuarantined(t.Id)).ToList();
        _held.UnionWith(all.Where(t => isQuarantined(t.Id)).Select(t => t.Id)); // what holds them leaves the results too
        var speakersOf = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var turn in turns)
        {
            if (!speakersOf.TryGetValue(turn.SessionId, out var set))
            {
                set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                speakersOf[turn.SessionId] = set;
            }

            set.Add(turn.Speaker.Trim());
        }

        // Standing: turns spoken in a dialogue. Together: who shared a session with whom.
        var standing = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var turn in turns)
        {
            if (speakersOf[turn.SessionId].Count > 1)
            {
                standing[turn.Speaker.Trim()] = standing.GetValueOrDefault(turn.Speaker.Trim()) + 1;
            }
        }

        var together = new HashSet<string>(StringComparer.OrdinalIgnoreCase); // "a|b"
        foreach (var speakers in speakersOf.Values.Where(s => s.Count > 1))
        {
            foreach (var a in speakers)
            {
                foreach (var b in speakers)
                {
                    together.Add(a + "|" + b);
                }
            }
        }

        // The established speakers' own accounts (the terms of their turns), and the established history as a whole.
        var accounts = new Dictionary<string, Account>(StringComparer.OrdinalIgnoreCase);
        var history = new Account("the established speakers");
        foreach (var turn in turns)
        {
            var speaker = turn.Speaker.Trim();
            if (turn.Role == TurnRole.User && standing.GetValueOrDefault(speaker) >= EstablishedTurns)
            {
                if (!accounts.TryGetValue(speaker, out var account))
                {
                    account = new Account(speaker);
                    accounts[speaker] = account;
                }

                var terms = TextAnalyzer.Terms(turn.Text);
                account.Add(terms);
                history.Add(terms);
            }
        }

        var established = accounts.Keys.ToList();
        var voiceless = new List<Voice>();
        foreach (var turn in all)
        {
            if (turn.Role is TurnRole.Assistant or TurnRole.System)
            {
                continue;
            }

            var speaker = turn.Speaker.Trim();
            var hasStanding = standing.GetValueOrDefault(speaker) >= EstablishedTurns;
            var quarantined = isQuarantined(turn.Id);
            if (!hasStanding && !quarantined && BaitReason(turn.Text) is { } bait)
            {
                _flags.TryAdd(turn.Id, $"testimony: retrieval bait from '{speaker}', a voice with no standing in this history: {bait}");
                continue;
            }

            string? reason = quarantined ? $"testimony: turn {turn.Id} is quarantined" : null;
            var subjects = ThirdPersonSubjects(turn.Text, speaker, established).ToList();
            foreach (var subject in subjects)
            {
                if (reason is not null || together.Contains(speaker + "|" + subject))
                {
                    continue; // already judged, or said in the subject's presence: not hearsay
                }

                if (accounts[subject].Contradiction(ClaimTerms(turn.Text, speaker, subject)) is { } contradiction)
                {
                    reason = string.Create(CultureInfo.InvariantCulture,
                        $"testimony: hearsay about {subject} by '{speaker}', who never spoke with {subject}, says '{string.Join(" ", contradiction.Unbacked.Take(6))}' about '{string.Join(" ", contradiction.Topic)}', which {subject}'s own account of that never states; {subject}'s own word outranks it");
                }
            }

            if (!hasStanding && (quarantined || subjects.Count != 0 || !FirstPerson().IsMatch(turn.Text)))
            {
                // A claim about others or about the world (what a new voice says of itself is its own account).
                voiceless.Add(new Voice(turn, speaker, ClaimTerms(turn.Text, speaker, speaker)) { Reason = reason, Quarantined = quarantined });
            }
            else if (reason is not null && !quarantined)
            {
                _flags.TryAdd(turn.Id, reason);
            }
        }

        if (established.Count != 0)
        {
            JudgeVoiceless(voiceless, history); // with no established history there is nothing to corroborate with
        }

        foreach (var voice in voiceless)
        {
            if (!voice.Quarantined && voice.Reason is { } reason)
            {
                _flags.TryAdd(voice.Turn.Id, reason);
            }
        }
    }

    // One source, not repetitions: the claims of voices with no standing that repeat one another share the verdict
    // of any of them judged on its own; and ChorusVoices or more distinct such voices repeating a claim the
    // established history never states (its shared terms never appear together in an established speaker's turn)
    // are one uncorroborated source.
    private static void JudgeVoiceless(List<Voice> voices, Account history)
    {
        var postings = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < voices.Count; i++)
        {
            foreach (var term in voices[i].Terms)
            {
                if (!postings.TryGetValue(term, out var list))
                {
                    list = [];
                    postings[term] = list;
                }

                list.Add(i);
            }
        }

        var judged = voices.Where(v => v.Reason is not null).ToHashSet(); // on their own, before any repetition
        for (var i = 0; i < voices.Count; i++)
        {
            var item = voices[i];
            if (item.Reason is not null)
            {
                continue;
            }

            var self = i;
            var echoes = item.Terms.Where(t => postings[t].Count <= 200).SelectMany(t => postings[t]).Where(j => j != self).Distinct()
                .Select(j => voices[j]).Where(o => Repeats(item, o)).ToList();
            if (echoes.FirstOrDefault(judged.Contains) is { } flagged)
            {
                item.Reason = $"testimony: repeats the claim of turn {flagged.Turn.Id} by another new voice; repetitions are one source ({flagged.Reason})";
                continue;
            }

            var count = echoes.Select(e => e.Speaker).Append(item.Speaker).Distinct(StringComparer.OrdinalIgnoreCase).Count();
            if (count < ChorusVoices)
            {
                continue;
            }

            var shared = item.Terms.Where(t => echoes.Count(e => e.Terms.Contains(t)) >= ChorusVoices - 1).OrderBy(t => t, StringComparer.Ordinal).ToList();
            if (shared.Count >= 2 && !history.States(shared))
            {
                item.Reason = string.Create(CultureInfo.InvariantCulture,
                    $"testimony: {count} voices with no standing in this history repeat one claim ('{string.Join(" ", shared.Take(8))}') that no established speaker ever stated: one uncorroborated source, not {count}");
            }
        }
    }

    // Two claims by different voices are one when they share at least two terms, and at least 40 % of the smaller.
    private static bool Repeats(Voice a, Voice b)
    {
        if (string.Equals(a.Speaker, b.Speaker, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var shared = a.Terms.Count(b.Terms.Contains);
        return shared >= 2 && shared >= Math.Ceiling(0.4 * Math.Min(a.Terms.Count, b.Terms.Count));
    }

    // A name used to address someone: at the start of a sentence (after an optional greeting) and followed by
    // punctuation, or closing a sentence after a comma ("thanks, Mel!").
    private static bool IsVocative(string text, int index, int length)
    {
        var after = index + length < text.Length ? text[index + length] : '.';
        var before = text[..index];
        if (SentenceStartBefore().IsMatch(before) && (index + length >= text.Length || after is ',' or '!' or '.' or '?' or ':' or '-' or '\u2014'))
        {
            return true;
        }

        var rest = text[(index + length)..];
        return CommaBefore().IsMatch(before) && (rest.Length == 0 || rest[0] is '!' or '.' or '?' or ',' or ')' or ':' or ';');
    }

    // The terms of a claim, without the names of the speaker and the subject.
    private static HashSet<string> ClaimTerms(string text, string speaker, string subject)
    {
        var names = new HashSet<string>(TextAnalyzer.Terms(speaker).Concat(TextAnalyzer.Terms(subject)), StringComparer.Ordinal);
        return new HashSet<string>(TextAnalyzer.Terms(text).Where(t => t.Length > 1 && !names.Contains(t)), StringComparer.Ordinal);
    }

    private static string Clip(string s) => s.Length <= 60 ? s : s[..60] + "…";

    // An answer marker after a question: "? -> x", "?\nA: x", "? answer: x", "? The answer is x", "Q: … A: …".
    [GeneratedRegex(@"\?[""'\u201D\u2019)\]]*\s*(?:->|=>|=|\u2192|(?:the\s+)?(?:answer|reply|response|a|ans)\s*(?:is\s*)?[:=\-]|the\s+(?:right\s+|correct\s+|real\s+)?(?:answer|reply)\s+(?:is|was)\b)|(?:^|\n|\s)Q\s*[:.)][^\n]{3,}?(?:\n|\s)A\s*[:.)]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SelfAnswered();

    [GeneratedRegex(@"(?:^|[.!?\n]\s*)(?:(?:hey|hi|hello|hiya|yo|oh|ah|wow|thanks|thank\s+you|dear|congrats|congratulations|bye|goodbye|well|so|and|good\s+(?:morning|evening|night|afternoon)|yeah|yes|no|ok|okay|aw+|hmm+)[\s,!]*)*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SentenceStartBefore();

    [GeneratedRegex(@",\s*(?:(?:my|dear|and)\s+)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CommaBefore();

    [GeneratedRegex(@"\b(?:I|I'm|I've|I'd|I'll|me|my|mine|myself|we|we're|we've|our|ours|us)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FirstPerson();

    [GeneratedRegex(@"\b\p{L}+\b")]
    private static partial Regex Word();

    // A speaker's own account (or the established history's): the terms of each of their turns.
    private sealed class Account(string name)
    {
        private readonly List<HashSet<string>> _documents = [];
        private readonly Dictionary<string, List<int>> _postings = new(StringComparer.Ordinal);

        public string Name { get; } = name;

        public void Add(IEnumerable<string> terms)
        {
            var set = new HashSet<string>(terms.Where(t => t.Length > 1), StringComparer.Ordinal);
            foreach (var term in set)
            {
                if (!_postings.TryGetValue(term, out var list))
                {
                    list = [];
                    _postings[term] = list;
                }

                list.Add(_documents.Count);
            }

            _documents.Add(set);
        }

        // Whether one turn of the account holds all the terms.
        public bool States(IReadOnlyList<string> terms) =>
            terms.All(_postings.ContainsKey)
            && _postings[terms.OrderBy(t => _postings[t].Count).First()].Any(d => terms.All(_documents[d].Contains));

        // The claim is about a topic the subject spoke of when two of its terms (not among the commonest of the
        // subject's account) appear together in one of the subject's turns; it contradicts that account when it holds
        // terms none of those turns has.
        public (IReadOnlyList<string> Topic, IReadOnlyList<string> Unbacked)? Contradiction(HashSet<string> claim)
        {
            var limit = Math.Max(3, _documents.Count / 4);
            var related = claim.Where(t => _postings.TryGetValue(t, out var p) && p.Count <= limit)
                .OrderBy(t => _postings[t].Count).ThenBy(t => t, StringComparer.Ordinal).ToList();
            if (related.Count < 2)
            {
                return null;
            }

            // The rarest pair of the claim's terms the subject used together.
            for (var i = 0; i < related.Count; i++)
            {
                for (var j = i + 1; j < related.Count; j++)
                {
                    var docs = _postings[related[i]].Intersect(_postings[related[j]]).ToList();
                    if (docs.Count == 0)
                    {
                        continue;
                    }

                    var unbacked = claim.Where(t => !docs.Any(d => _documents[d].Contains(t))).OrderBy(t => t, StringComparer.Ordinal).ToList();
                    return unbacked.Count == 0 ? null : ([related[i], related[j]], unbacked);
                }
            }

            return null;
        }
    }

    private sealed class Voice(Turn turn, string speaker, HashSet<string> terms)
    {
        public Turn Turn { get; } = turn;

        public string Speaker { get; } = speaker;

        public HashSet<string> Terms { get; } = terms;

        public string? Reason { get; set; }

        public bool Quarantined { get; init; }
    }
}
