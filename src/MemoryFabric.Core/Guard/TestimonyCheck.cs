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
/// written to be retrieved, not to record anything, when the history has an established speaker whose account it
/// would displace (a memory no one is established in, e.g. one voice writing notes alone, has none).</item>
/// </list>
/// Assistant and system turns (the agent's own words) are never checked.
/// <para><see cref="Build"/> checks a whole history at once and is the reference: <see cref="TestimonyLedger"/>,
/// which <see cref="AgentMemory"/> uses, keeps the same verdicts up to date as turns come and go or change status, at
/// a cost proportional to the change.</para>
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

    /// <summary>How many voices without standing may use a term for it still to link their claims (a commoner term
    /// links none).</summary>
    public const int CommonTerm = 200;

    private readonly Dictionary<string, string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);

    private TestimonyCheck()
    {
    }

    /// <summary>The flagged turns, each with its reason.</summary>
    public IReadOnlyDictionary<string, string> Flags => _flags;

    /// <summary>The quarantined turns of the history (what holds one leaves the results).</summary>
    public IReadOnlySet<string> Held => _held;

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
    public (bool Drop, IReadOnlyList<(string Id, string Reason)> Flags) Judge(MemoryItemKind kind, string itemId, IReadOnlyList<string> turnIds) =>
        Judge(_flags, _held.Contains, kind, itemId, turnIds);

    /// <summary>The verdicts on a retrieval candidate from a set of flagged turns and the quarantined ones (see
    /// <see cref="Judge(MemoryItemKind, string, IReadOnlyList{string})"/>).</summary>
    /// <param name="flags">The flagged turns, each with its reason.</param>
    /// <param name="held">Whether a turn is a quarantined turn of the history.</param>
    /// <param name="kind">The candidate's kind.</param>
    /// <param name="itemId">The candidate's id.</param>
    /// <param name="turnIds">Its turns.</param>
    /// <returns>Whether the candidate leaves the results, and the items to flag, each with its reason.</returns>
    internal static (bool Drop, IReadOnlyList<(string Id, string Reason)> Flags) Judge(
        IReadOnlyDictionary<string, string> flags, Func<string, bool> held, MemoryItemKind kind, string itemId, IReadOnlyList<string> turnIds)
    {
        ArgumentNullException.ThrowIfNull(turnIds);
        var flagged = turnIds.Where(flags.ContainsKey).Select(id => (Id: id, Reason: flags[id])).ToList();
        var holds = kind != MemoryItemKind.Turn && turnIds.Any(held);
        if (flagged.Count != 0 && kind != MemoryItemKind.Turn && (kind == MemoryItemKind.Note || flagged.Count == turnIds.Count))
        {
            flagged.Add((itemId, $"{flagged[0].Reason} (derived from turn {flagged[0].Id})"));
        }

        return (flagged.Count != 0 || holds, flagged);
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
        var words = Words(text);
        return people.Where(person => Names(text, speaker, person, words));
    }

    /// <summary>The words of a text (runs of letters), each with its position, as <see cref="Names"/> reads them.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The words, in order.</returns>
    /// <remarks>The same words as the regular expression <c>\b\p{L}+\b</c> (a maximal run of letters with a word
    /// boundary at each end: no letter, digit, non-spacing mark, connector or zero-width joiner beside it), found by a
    /// scan, which a ledger build over a long history calls for every turn.</remarks>
    internal static IReadOnlyList<(int Index, string Value)> Words(string text)
    {
        var words = new List<(int Index, string Value)>();
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetter(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && char.IsLetter(text[i]))
            {
                i++;
            }

            if ((start == 0 || !IsBoundaryWordChar(text[start - 1])) && (i == text.Length || !IsBoundaryWordChar(text[i])))
            {
                words.Add((start, text[start..i]));
            }
        }

        return words;
    }

    // A character on the word side of a regular expression's \b (.NET: \w, plus the zero-width joiner and non-joiner).
    private static bool IsBoundaryWordChar(char c) =>
        c is '\u200D' or '\u200C'
        || char.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation;

    /// <summary>Whether a text names a person in the third person (see <see cref="ThirdPersonSubjects"/>). Letter
    /// case in the person's name does not matter.</summary>
    /// <param name="text">The text.</param>
    /// <param name="speaker">Who says it.</param>
    /// <param name="person">The person.</param>
    /// <param name="words">The text's <see cref="Words"/>.</param>
    /// <returns>Whether the text names them.</returns>
    internal static bool Names(string text, string speaker, string person, IReadOnlyList<(int Index, string Value)> words)
    {
        if (string.Equals(person, speaker, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var first = FirstName(person);
        if (first.Length < 2)
        {
            return false;
        }

        foreach (var (index, value) in words)
        {
            var named = string.Equals(value, first, StringComparison.OrdinalIgnoreCase)
                || (value.Length >= 3 && char.IsUpper(value[0]) && first.StartsWith(value, StringComparison.OrdinalIgnoreCase)
                    && !EnglishStopwords.Contains(value.ToLowerInvariant())); // "And" is not Andrew
            if (named && !IsVocative(text, index, value.Length))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first word of a person's name, by which a text may name them (a short form is a prefix of it).</summary>
    /// <param name="person">The person.</param>
    /// <returns>The first name (empty for a blank name).</returns>
    internal static string FirstName(string person) =>
        person.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;

    /// <summary>Whether a text speaks in the first person (a new voice's claim about itself is its own account).</summary>
    /// <param name="text">The text.</param>
    /// <returns>Whether it does.</returns>
    internal static bool IsFirstPerson(string text) => FirstPerson().IsMatch(text);

    /// <summary>Whether a text is its speaker's own account: in the first person, or naming the speaker (a voice that
    /// speaks of itself by its name, "Samir drives an old Citroen" said by Samir, speaks of itself).</summary>
    /// <param name="text">The text.</param>
    /// <param name="speaker">Who says it.</param>
    /// <returns>Whether it is.</returns>
    internal static bool IsOwnAccount(string text, string speaker)
    {
        if (IsFirstPerson(text))
        {
            return true;
        }

        var first = FirstName(speaker);
        return first.Length >= 2 && Words(text).Any(w => char.IsUpper(w.Value[0]) && string.Equals(w.Value, first, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The flag of retrieval bait.</summary>
    internal static string BaitFlag(string speaker, string bait) =>
        $"testimony: retrieval bait from '{speaker}', a voice with no standing in this history: {bait}";

    /// <summary>The verdict of a quarantined turn: no one's account, and its repetitions share it.</summary>
    internal static string QuarantinedReason(string turnId) => $"testimony: turn {turnId} is quarantined";

    /// <summary>The flag of hearsay that the subject's own account contradicts.</summary>
    internal static string HearsayReason(string subject, string speaker, (IReadOnlyList<string> Topic, IReadOnlyList<string> Unbacked) contradiction) =>
        string.Create(CultureInfo.InvariantCulture,
            $"testimony: hearsay about {subject} by '{speaker}', who never spoke with {subject}, says '{string.Join(" ", contradiction.Unbacked.Take(6))}' about '{string.Join(" ", contradiction.Topic)}', which {subject}'s own account of that never states; {subject}'s own word outranks it");

    /// <summary>The flag of a new voice repeating the claim of another one judged on its own.</summary>
    internal static string RepeatReason(string flaggedTurnId, string flaggedReason) =>
        $"testimony: repeats the claim of turn {flaggedTurnId} by another new voice; repetitions are one source ({flaggedReason})";

    /// <summary>The flag of a chorus: new voices repeating a claim no established speaker ever stated.</summary>
    internal static string ChorusReason(int voices, IReadOnlyList<string> shared) =>
        string.Create(CultureInfo.InvariantCulture,
            $"testimony: {voices} voices with no standing in this history repeat one claim ('{string.Join(" ", shared.Take(8))}') that no established speaker ever stated: one uncorroborated source, not {voices}");

    /// <summary>Whether two claims by different voices are one: they share at least two terms, and at least 40 % of
    /// the smaller.</summary>
    internal static bool Repeats(string speakerA, HashSet<string> termsA, string speakerB, HashSet<string> termsB)
    {
        if (string.Equals(speakerA, speakerB, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var shared = termsA.Count(termsB.Contains);
        return shared >= 2 && shared >= Math.Ceiling(0.4 * Math.Min(termsA.Count, termsB.Count));
    }

    /// <summary>The terms of a claim, without the names of the speaker and the subject.</summary>
    internal static HashSet<string> ClaimTerms(string text, string speaker, string subject)
    {
        var names = new HashSet<string>(TextAnalyzer.Terms(speaker).Concat(TextAnalyzer.Terms(subject)), StringComparer.Ordinal);
        return new HashSet<string>(TextAnalyzer.Terms(text).Where(t => t.Length > 1 && !names.Contains(t)), StringComparer.Ordinal);
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

        var together = new HashSet<(string, string)>(SpeakerPair.Comparer);
        foreach (var speakers in speakersOf.Values.Where(s => s.Count > 1))
        {
            foreach (var a in speakers)
            {
                foreach (var b in speakers)
                {
                    together.Add((a, b));
                }
            }
        }

        // The established speakers' own accounts (the terms of their turns), and the established history as a whole.
        var accounts = new Dictionary<string, TestimonyAccount>(StringComparer.OrdinalIgnoreCase);
        var history = new TestimonyAccount();
        for (var i = 0; i < turns.Count; i++)
        {
            var turn = turns[i];
            var speaker = turn.Speaker.Trim();
            if (turn.Role == TurnRole.User && standing.GetValueOrDefault(speaker) >= EstablishedTurns)
            {
                if (!accounts.TryGetValue(speaker, out var account))
                {
                    account = new TestimonyAccount();
                    accounts[speaker] = account;
                }

                var terms = TextAnalyzer.Terms(turn.Text);
                account.Add(i, terms);
                history.Add(i, terms);
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
            // Bait displaces an established history; where no one is established (a memory written by one voice
            // alone, e.g. notes through MCP) there is none to displace, and that voice is the memory's owner.
            if (!hasStanding && !quarantined && established.Count != 0 && BaitReason(turn.Text) is { } bait)
            {
                _flags.TryAdd(turn.Id, BaitFlag(speaker, bait));
                continue;
            }

            string? reason = quarantined ? QuarantinedReason(turn.Id) : null;
            var subjects = ThirdPersonSubjects(turn.Text, speaker, established).ToList();
            foreach (var subject in subjects)
            {
                if (reason is not null || together.Contains((speaker, subject)))
                {
                    continue; // already judged, or said in the subject's presence: not hearsay
                }

                if (accounts[subject].Contradiction(ClaimTerms(turn.Text, speaker, subject)) is { } contradiction)
                {
                    reason = HearsayReason(subject, speaker, contradiction);
                }
            }

            if (!hasStanding && (quarantined || subjects.Count != 0 || !IsOwnAccount(turn.Text, speaker)))
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
    // are one uncorroborated source. A term more than CommonTerm voices use links none of them.
    private static void JudgeVoiceless(List<Voice> voices, TestimonyAccount history)
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
            var echoes = item.Terms.Where(t => postings[t].Count <= CommonTerm).SelectMany(t => postings[t]).Where(j => j != self).Distinct()
                .Select(j => voices[j]).Where(o => Repeats(item.Speaker, item.Terms, o.Speaker, o.Terms)).ToList();
            if (echoes.FirstOrDefault(judged.Contains) is { } flagged)
            {
                item.Reason = RepeatReason(flagged.Turn.Id, flagged.Reason!);
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
                item.Reason = ChorusReason(count, shared);
            }
        }
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


    private sealed class Voice(Turn turn, string speaker, HashSet<string> terms)
    {
        public Turn Turn { get; } = turn;

        public string Speaker { get; } = speaker;

        public HashSet<string> Terms { get; } = terms;

        public string? Reason { get; set; }

        public bool Quarantined { get; init; }
    }
}
