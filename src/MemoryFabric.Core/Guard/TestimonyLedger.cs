using MemoryFabric.Conversation;
using MemoryFabric.Retrieval;
using MemoryFabric.Text;

namespace MemoryFabric.Guard;

/// <summary>
/// The testimony checks (<see cref="TestimonyCheck"/>) kept up to date as an agent's history changes: the same
/// verdicts as <see cref="TestimonyCheck.Build"/> over the same history, at a cost proportional to the change instead
/// of to the history.
/// </summary>
/// <remarks>
/// <para>The owner reports each turn that is added, removed or changes status with <see cref="Changed"/> (O(1)); the
/// next <see cref="Refresh"/> reads the current state of those turns only and updates what they can affect:</para>
/// <list type="bullet">
/// <item>the aggregates: each session's speakers, each speaker's standing, who was together with whom, each speaker's
/// own account and the established history (one document added or removed per turn);</item>
/// <item>the turns to judge again: the new or changed turn; every turn of a speaker whose standing crosses
/// <see cref="TestimonyCheck.EstablishedTurns"/>; the turns naming a person who becomes or stops being an
/// established speaker (found through an index of words); the turns of a speaker naming a person they now were, or
/// no longer were, together with; and, when a person's account gains or loses a turn, the turns naming them that
/// share a term with that turn (or hold a term at the account's changed <see cref="TestimonyAccount.Limit"/>);</item>
/// <item>the voices without standing to judge again: a voice that comes, goes or changes its own verdict and the
/// voices repeating it; all voices using a term whose use crosses <see cref="TestimonyCheck.CommonTerm"/>; a chorus
/// whose shared terms a history turn added or removed holds; all voices when the first person becomes established
/// or the last one stops being.</item>
/// </list>
/// <para>When more turns changed than a share of the history, the ledger is rebuilt instead (the same verdicts).
/// Single-threaded, like <see cref="AgentMemory"/>.</para>
/// </remarks>
internal sealed class TestimonyLedger
{
    /// <summary>The share of the history from which a refresh rebuilds instead of updating.</summary>
    public const double DefaultRebuildShare = 0.25;

    private const int MinRebuild = 64;

    private readonly double _rebuildShare;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, int>> _sessions = new(StringComparer.Ordinal); // active turns per speaker
    private readonly Dictionary<string, Speaker> _speakers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(string A, string B), int> _together = new(SpeakerPair.Comparer); // dialogues holding both
    private readonly Dictionary<string, HashSet<Entry>> _words = new(StringComparer.OrdinalIgnoreCase); // judged turns by word
    private readonly Dictionary<string, List<Speaker>> _names = new(StringComparer.OrdinalIgnoreCase); // people by first name and its prefixes
    private readonly Dictionary<string, SortedSet<Entry>> _voices = new(StringComparer.Ordinal); // voices by claim term, history order
    private readonly Dictionary<string, HashSet<Entry>> _choruses = new(StringComparer.Ordinal); // voices by their chorus's first shared term
    private readonly HashSet<Speaker> _indexed = [];
    private readonly Dictionary<string, string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal); // one copy of each term
    private readonly TestimonyAccount _history = new();
    private List<Speaker> _people = [];
    private bool _stale;
    private int _serial;

    private TestimonyLedger(double rebuildShare)
    {
        _rebuildShare = rebuildShare;
    }

    private enum Kind
    {
        None,
        Bait,
        Plain,
        Voice,
    }

    /// <summary>The flagged turns, each with its reason.</summary>
    public IReadOnlyDictionary<string, string> Flags => _flags;

    /// <summary>The quarantined turns of the history.</summary>
    public IReadOnlySet<string> Held => _held;

    /// <summary>Whether no change waits for <see cref="Refresh"/> (deferred ones aside).</summary>
    public bool IsCurrent => !_stale;

    /// <summary>Whether the next <see cref="Refresh"/> would rebuild the ledger over the whole history (too many
    /// turns changed) rather than update it.</summary>
    public bool RefreshRebuilds => _pending.Count > Math.Max(MinRebuild, _rebuildShare * _entries.Count);

    /// <summary>How many times the ledger was built over the whole history (at creation included).</summary>
    public int Rebuilds { get; private set; }

    /// <summary>How many verdicts (of turns and of voices) the last refresh computed.</summary>
    public int LastJudged { get; private set; }

    /// <summary>Builds the ledger of a history.</summary>
    /// <param name="history">The turns (any order; released ones left out), each with whether it is quarantined.</param>
    /// <param name="rebuildShare">The share of the history from which a refresh rebuilds instead of updating.</param>
    /// <returns>The ledger.</returns>
    public static TestimonyLedger Create(IEnumerable<(Turn Turn, bool Quarantined)> history, double rebuildShare = DefaultRebuildShare)
    {
        ArgumentNullException.ThrowIfNull(history);
        var ledger = new TestimonyLedger(rebuildShare);
        ledger.Rebuild(history);
        return ledger;
    }

    /// <summary>Notes that a turn was added, removed, or quarantined or released. O(1).</summary>
    /// <param name="turnId">The turn id.</param>
    /// <param name="deferred">Whether the change alone does not call for a refresh (it is applied with the next
    /// one): the guard's own quarantine of a turn these checks flagged, which keeps its flag until then.</param>
    public void Changed(string turnId, bool deferred = false)
    {
        _pending.Add(turnId);
        _stale |= !deferred;
    }

    /// <summary>Applies the changes noted since the last refresh.</summary>
    /// <param name="lookup">The current state of a turn: the turn and whether it is quarantined, or
    /// <see langword="null"/> when it is gone or released.</param>
    /// <param name="history">The whole history, as for <see cref="Create"/> (read only for a rebuild).</param>
    /// <param name="force">Also apply deferred changes when nothing else changed.</param>
    public void Refresh(Func<string, (Turn Turn, bool Quarantined)?> lookup, Func<IEnumerable<(Turn Turn, bool Quarantined)>> history, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(history);
        if (!_stale && !(force && _pending.Count != 0))
        {
            return;
        }

        if (RefreshRebuilds)
        {
            Rebuild(history());
        }
        else
        {
            var work = new Work(all: false);
            foreach (var id in _pending)
            {
                Sync(id, lookup(id), work);
            }

            Finish(work);
        }

        _pending.Clear();
        _stale = false;
    }

    /// <summary>The verdicts on a retrieval candidate (see <see cref="TestimonyCheck.Judge(MemoryItemKind, string, IReadOnlyList{string})"/>).</summary>
    /// <param name="kind">The candidate's kind.</param>
    /// <param name="itemId">The candidate's id.</param>
    /// <param name="turnIds">Its turns (released ones left out).</param>
    /// <returns>Whether the candidate leaves the results, and the items to flag, each with its reason.</returns>
    public (bool Drop, IReadOnlyList<(string Id, string Reason)> Flags) Judge(MemoryItemKind kind, string itemId, IReadOnlyList<string> turnIds) =>
        TestimonyCheck.Judge(_flags, _held.Contains, kind, itemId, turnIds);

    private void Rebuild(IEnumerable<(Turn Turn, bool Quarantined)> history)
    {
        foreach (var entry in _entries.Values)
        {
            entry.Removed = true;
        }

        _entries.Clear();
        _sessions.Clear();
        _speakers.Clear();
        _together.Clear();
        _words.Clear();
        _names.Clear();
        _voices.Clear();
        _choruses.Clear();
        _indexed.Clear();
        _flags.Clear();
        _held.Clear();
        _history.Clear();
        _people = [];
        var work = new Work(all: true);
        foreach (var (turn, quarantined) in history)
        {
            if (_entries.TryGetValue(turn.Id, out var twin))
            {
                Remove(twin, work); // the last state of an id wins
            }

            Add(turn, quarantined, work);
        }

        Finish(work);
        Rebuilds++;
    }

    // Brings one turn to its current state: unchanged, or out with its old state and in with its new one.
    private void Sync(string id, (Turn Turn, bool Quarantined)? state, Work work)
    {
        _entries.TryGetValue(id, out var old);
        if (old is not null && state is { } same && ReferenceEquals(old.Turn, same.Turn) && old.Quarantined == same.Quarantined)
        {
            return;
        }

        if (old is not null)
        {
            Remove(old, work);
        }

        if (state is { } now)
        {
            Add(now.Turn, now.Quarantined, work);
        }
    }

    private void Add(Turn turn, bool quarantined, Work work)
    {
        var name = turn.Speaker.Trim();
        if (!_speakers.TryGetValue(name, out var speaker))
        {
            speaker = new Speaker(name);
            _speakers[name] = speaker;
        }

        var entry = new Entry(turn, name, speaker, quarantined, ++_serial, _strings);
        _entries.Add(turn.Id, entry);
        speaker.Turns.Add(entry);
        if (quarantined)
        {
            _held.Add(turn.Id);
        }
        else
        {
            Activate(entry, work);
        }

        if (!entry.Judged)
        {
            return;
        }

        var words = entry.Words;
        foreach (var (_, word) in words)
        {
            if (word.Length > 1) // a name is matched by two letters or more (TestimonyCheck.Names)
            {
                Bucket(_words, word).Add(entry);
            }
        }

        // The people it names (a person who becomes established in this update is indexed at its end).
        foreach (var person in CandidatePeople(words))
        {
            if (TestimonyCheck.Names(turn.Text, name, person.Key, words))
            {
                Mention(person, entry);
            }
        }

        work.Judge.Add(entry);
    }

    private void Remove(Entry entry, Work work)
    {
        if (entry.Quarantined)
        {
            _held.Remove(entry.Id);
        }
        else
        {
            Deactivate(entry, work);
        }

        entry.Speaker.Turns.Remove(entry);
        if (entry.Judged)
        {
            foreach (var (_, word) in entry.Words)
            {
                if (word.Length > 1)
                {
                    Unbucket(_words, word, entry);
                }
            }

            foreach (var person in entry.NamedBy?.ToList() ?? [])
            {
                Unmention(person, entry);
            }
        }

        if (entry.Kind == Kind.Voice)
        {
            RemoveVoice(entry, work);
        }

        SetChorus(entry, null);
        _flags.Remove(entry.Id);
        _entries.Remove(entry.Id);
        entry.Removed = true;
    }

    // An active (not quarantined) turn joins its session, its speaker's standing and, said by a user, their account.
    private void Activate(Entry entry, Work work)
    {
        var sessionId = entry.Turn.SessionId;
        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            session = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            _sessions[sessionId] = session;
        }

        var wasDialogue = session.Count > 1;
        var joins = !session.TryGetValue(entry.Name, out var count);
        session[entry.Name] = count + 1;
        if (session.Count > 1)
        {
            if (!wasDialogue)
            {
                // A monologue became a dialogue: every turn of it now gives standing, everyone in it was together.
                foreach (var (name, turns) in session)
                {
                    AddStanding(_speakers[name], turns, work);
                }

                foreach (var a in session.Keys)
                {
                    foreach (var b in session.Keys)
                    {
                        AddPair(a, b, 1, work);
                    }
                }
            }
            else
            {
                AddStanding(entry.Speaker, 1, work);
                if (joins)
                {
                    foreach (var other in session.Keys)
                    {
                        AddPair(entry.Name, other, 1, work);
                        if (!string.Equals(other, entry.Name, StringComparison.OrdinalIgnoreCase))
                        {
                            AddPair(other, entry.Name, 1, work);
                        }
                    }
                }
            }
        }

        if (entry.Turn.Role == TurnRole.User)
        {
            AddDocument(entry, work);
        }
    }

    private void Deactivate(Entry entry, Work work)
    {
        var sessionId = entry.Turn.SessionId;
        var session = _sessions[sessionId];
        var members = session.Count > 1 ? session.ToList() : null; // before: a dialogue
        var count = session[entry.Name] - 1;
        var leaves = count == 0;
        if (leaves)
        {
            session.Remove(entry.Name);
        }
        else
        {
            session[entry.Name] = count;
        }

        if (members is not null)
        {
            if (session.Count <= 1)
            {
                // Back to a monologue: its turns give no standing, and no one in it was together any more.
                foreach (var (name, turns) in members)
                {
                    AddStanding(_speakers[name], -turns, work);
                }

                foreach (var (a, _) in members)
                {
                    foreach (var (b, _) in members)
                    {
                        AddPair(a, b, -1, work);
                    }
                }
            }
            else
            {
                AddStanding(entry.Speaker, -1, work);
                if (leaves)
                {
                    foreach (var (other, _) in members)
                    {
                        AddPair(entry.Name, other, -1, work);
                        if (!string.Equals(other, entry.Name, StringComparison.OrdinalIgnoreCase))
                        {
                            AddPair(other, entry.Name, -1, work);
                        }
                    }
                }
            }
        }

        if (session.Count == 0)
        {
            _sessions.Remove(sessionId);
        }

        if (entry.Turn.Role == TurnRole.User)
        {
            RemoveDocument(entry, work);
        }
    }

    private static void AddStanding(Speaker speaker, int delta, Work work)
    {
        work.Speakers.TryAdd(speaker, speaker.HasStanding);
        speaker.Standing += delta;
    }

    // One more or one fewer dialogue holds both a and b. When that makes them together, or no longer, a's turns
    // naming b are judged again (hearsay is what the subject was not there to contest).
    private void AddPair(string a, string b, int delta, Work work)
    {
        var was = _together.GetValueOrDefault((a, b));
        var now = was + delta;
        if (now == 0)
        {
            _together.Remove((a, b));
        }
        else
        {
            _together[(a, b)] = now;
        }

        if ((was == 0) != (now == 0) && !work.All && _speakers.TryGetValue(b, out var subject)
            && subject.Mentions is { } mentions && mentions.TryGetValue(a, out var said))
        {
            work.Judge.UnionWith(said);
        }
    }

    private void AddDocument(Entry entry, Work work)
    {
        var speaker = entry.Speaker;
        work.Speakers.TryAdd(speaker, speaker.HasStanding);
        var limit = speaker.Account.Limit;
        speaker.Account.Add(entry.Serial, entry.Terms);
        speaker.UserTurns.Add(entry);
        AccountChanged(speaker, entry.Terms, limit, work);
        if (speaker.InHistory)
        {
            _history.Add(entry.Serial, entry.Terms);
            HistoryChanged(entry.Terms, work);
        }
    }

    private void RemoveDocument(Entry entry, Work work)
    {
        var speaker = entry.Speaker;
        work.Speakers.TryAdd(speaker, speaker.HasStanding);
        var limit = speaker.Account.Limit;
        speaker.Account.Remove(entry.Serial);
        speaker.UserTurns.Remove(entry);
        AccountChanged(speaker, entry.Terms, limit, work);
        if (speaker.InHistory)
        {
            _history.Remove(entry.Serial);
            HistoryChanged(entry.Terms, work);
        }
    }

    // A person's account gained or lost a turn: a claim about them can read differently only if it shares a term
    // with that turn, or holds a term whose count is at the edge the account's changed limit moved.
    private static void AccountChanged(Speaker person, HashSet<string> terms, int limitBefore, Work work)
    {
        if (work.All || person.MentionTerms is not { } index)
        {
            return;
        }

        foreach (var term in terms)
        {
            if (index.TryGetValue(term, out var said))
            {
                work.Judge.UnionWith(said);
            }
        }

        var limit = person.Account.Limit;
        if (limit != limitBefore)
        {
            foreach (var term in person.Account.TermsIn(Math.Max(limit, limitBefore)))
            {
                if (index.TryGetValue(term, out var said))
                {
                    work.Judge.UnionWith(said);
                }
            }
        }
    }

    // A turn of the established history came or went: a chorus is stated by it only if it holds all its terms.
    private void HistoryChanged(HashSet<string> terms, Work work)
    {
        if (work.All)
        {
            return;
        }

        foreach (var term in terms)
        {
            if (_choruses.TryGetValue(term, out var voices))
            {
                foreach (var voice in voices)
                {
                    if (voice.Shared!.All(terms.Contains))
                    {
                        work.Voices.Add(voice);
                    }
                }
            }
        }
    }

    private void Finish(Work work)
    {
        var hadPeople = _people.Count != 0;
        var peopleChanged = false;
        foreach (var (speaker, hadStanding) in work.Speakers)
        {
            if (speaker.HasStanding != hadStanding && !work.All)
            {
                work.Judge.UnionWith(speaker.Turns.Where(e => e.Judged));
            }

            if (speaker.HasStanding != speaker.InHistory)
            {
                speaker.InHistory = speaker.HasStanding;
                foreach (var entry in speaker.UserTurns)
                {
                    if (speaker.InHistory)
                    {
                        _history.Add(entry.Serial, entry.Terms);
                    }
                    else
                    {
                        _history.Remove(entry.Serial);
                    }

                    HistoryChanged(entry.Terms, work);
                }
            }

            var first = speaker.UserTurns.Count == 0 ? null : speaker.UserTurns.Min;
            if (speaker.IsPerson != (speaker.Mentions is not null))
            {
                if (speaker.IsPerson)
                {
                    IndexMentions(speaker, work);
                }
                else
                {
                    DropMentions(speaker, work);
                }

                peopleChanged = true;
            }
            else if (speaker.Mentions is { } mentions && !ReferenceEquals(first, speaker.First))
            {
                // The person's name as first spoken, or their rank among the people, may have changed.
                foreach (var said in mentions.Values)
                {
                    work.Judge.UnionWith(said);
                }

                peopleChanged = true;
            }

            speaker.First = first;
        }

        if (peopleChanged)
        {
            _people = [.. _indexed.OrderBy(p => p.First, EntryOrder.Instance)];
            for (var i = 0; i < _people.Count; i++)
            {
                _people[i].Rank = i;
            }
        }

        // The first established person (or the last one gone) changes whether bait can be flagged at all, and
        // whether voices are judged against a history: everything is judged again (once in an agent's life, mostly).
        var all = work.All || hadPeople != (_people.Count != 0);
        var judge = all ? _entries.Values.Where(e => e.Judged).ToList() : work.Judge.Where(e => !e.Removed).ToList();
        foreach (var entry in judge)
        {
            JudgeTurn(entry, work);
        }

        var voices = all
            ? _entries.Values.Where(e => e.Kind == Kind.Voice).ToList()
            : work.Voices.Where(e => !e.Removed && e.Kind == Kind.Voice).ToList();
        foreach (var voice in voices)
        {
            JudgeVoice(voice);
        }

        LastJudged = judge.Count + voices.Count;
    }

    // The person became an established speaker: index the turns naming them (found by their first name and its
    // short forms), and judge those again.
    private void IndexMentions(Speaker person, Work work)
    {
        person.Mentions = new Dictionary<string, HashSet<Entry>>(StringComparer.OrdinalIgnoreCase);
        person.MentionTerms = new Dictionary<string, List<Entry>>(StringComparer.Ordinal);
        _indexed.Add(person);
        var first = TestimonyCheck.FirstName(person.Key);
        if (first.Length < 2)
        {
            return;
        }

        foreach (var key in NameKeys(first))
        {
            Bucket(_names, key).Add(person);
        }

        var candidates = new HashSet<Entry>();
        foreach (var key in NameKeys(first))
        {
            if (_words.TryGetValue(key, out var entries))
            {
                candidates.UnionWith(entries);
            }
        }

        foreach (var entry in candidates)
        {
            if (TestimonyCheck.Names(entry.Turn.Text, entry.Name, person.Key, entry.Words))
            {
                Mention(person, entry);
                work.Judge.Add(entry);
            }
        }
    }

    private void DropMentions(Speaker person, Work work)
    {
        foreach (var said in person.Mentions!.Values)
        {
            foreach (var entry in said)
            {
                entry.NamedBy!.Remove(person);
                work.Judge.Add(entry);
            }
        }

        person.Mentions = null;
        person.MentionTerms = null;
        _indexed.Remove(person);
        var first = TestimonyCheck.FirstName(person.Key);
        if (first.Length >= 2)
        {
            foreach (var key in NameKeys(first))
            {
                if (_names.TryGetValue(key, out var people))
                {
                    people.Remove(person);
                    if (people.Count == 0)
                    {
                        _names.Remove(key);
                    }
                }
            }
        }
    }

    // The words by which a text may name someone with this first name: the name itself and its short forms of three
    // letters or more (TestimonyCheck.Names decides).
    private static IEnumerable<string> NameKeys(string first)
    {
        yield return first;
        for (var k = 3; k < first.Length; k++)
        {
            yield return first[..k];
        }
    }

    // The indexed people a turn may name: those whose first name, or a short form of it, is one of its words.
    private HashSet<Speaker> CandidatePeople(IReadOnlyList<(int Index, string Value)> words)
    {
        var people = new HashSet<Speaker>();
        if (_names.Count == 0)
        {
            return people;
        }

        foreach (var (_, word) in words)
        {
            if (_names.TryGetValue(word, out var named))
            {
                people.UnionWith(named);
            }
        }

        return people;
    }

    private static void Mention(Speaker person, Entry entry)
    {
        Bucket(person.Mentions!, entry.Name).Add(entry);
        foreach (var term in entry.Terms)
        {
            Bucket(person.MentionTerms!, term).Add(entry);
        }

        (entry.NamedBy ??= []).Add(person);
    }

    private static void Unmention(Speaker person, Entry entry)
    {
        Unbucket(person.Mentions!, entry.Name, entry);
        foreach (var term in entry.Terms)
        {
            var said = person.MentionTerms![term];
            said.Remove(entry);
            if (said.Count == 0)
            {
                person.MentionTerms.Remove(term);
            }
        }

        entry.NamedBy!.Remove(person);
    }

    // A turn's own verdict (TestimonyCheck.Build, first pass): bait, hearsay, or a voice without standing.
    private void JudgeTurn(Entry entry, Work work)
    {
        var speaker = entry.Speaker;
        Kind kind;
        string? reason;
        if (!speaker.HasStanding && !entry.Quarantined && _people.Count != 0 && entry.Bait is { } bait)
        {
            kind = Kind.Bait;
            reason = TestimonyCheck.BaitFlag(entry.Name, bait);
        }
        else
        {
            reason = entry.Quarantined ? TestimonyCheck.QuarantinedReason(entry.Id) : null;
            foreach (var subject in entry.NamedBy?.OrderBy(p => p.Rank) ?? Enumerable.Empty<Speaker>())
            {
                var name = subject.First!.Name;
                if (reason is not null || _together.ContainsKey((entry.Name, name)))
                {
                    continue; // already judged, or said in the subject's presence: not hearsay
                }

                if (subject.Account.Contradiction(TestimonyCheck.ClaimTerms(entry.Turn.Text, entry.Name, name)) is { } contradiction)
                {
                    reason = TestimonyCheck.HearsayReason(name, entry.Name, contradiction);
                }
            }

            kind = !speaker.HasStanding && (entry.Quarantined || entry.NamedBy is { Count: > 0 } || !entry.OwnAccount) ? Kind.Voice : Kind.Plain;
        }

        var wasVoice = entry.Kind == Kind.Voice;
        if (wasVoice && kind != Kind.Voice)
        {
            RemoveVoice(entry, work);
        }
        else if (wasVoice && !work.All && !string.Equals(entry.Reason, reason, StringComparison.Ordinal))
        {
            work.Voices.UnionWith(Echoes(entry)); // they repeat a claim whose own verdict changed
        }

        entry.Kind = kind;
        entry.Reason = reason;
        if (kind == Kind.Voice)
        {
            if (!wasVoice)
            {
                AddVoice(entry, work);
            }

            work.Voices.Add(entry);
        }
        else
        {
            entry.Final = null;
            SetChorus(entry, null);
            SetFlag(entry, entry.Quarantined ? null : reason);
        }
    }

    // A voice's verdict (TestimonyCheck.Build, second pass): its own, that of a claim it repeats, or a chorus's.
    private void JudgeVoice(Entry voice)
    {
        string? final = null;
        List<string>? chorus = null;
        if (voice.Reason is not null)
        {
            final = voice.Reason;
        }
        else if (_people.Count != 0)
        {
            var echoes = Echoes(voice);
            if (echoes.FirstOrDefault(e => e.Reason is not null) is { } flagged)
            {
                final = TestimonyCheck.RepeatReason(flagged.Id, flagged.Reason!);
            }
            else
            {
                var count = echoes.Select(e => e.Name).Append(voice.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count();
                if (count >= TestimonyCheck.ChorusVoices)
                {
                    var shared = voice.VoiceTerms.Where(t => echoes.Count(e => e.VoiceTerms.Contains(t)) >= TestimonyCheck.ChorusVoices - 1)
                        .OrderBy(t => t, StringComparer.Ordinal).ToList();
                    if (shared.Count >= 2)
                    {
                        chorus = shared;
                        if (!_history.States(shared))
                        {
                            final = TestimonyCheck.ChorusReason(count, shared);
                        }
                    }
                }
            }
        }

        voice.Final = final;
        SetChorus(voice, chorus);
        SetFlag(voice, voice.Quarantined ? null : final);
    }

    // The other voices whose claims repeat this one's, in the order TestimonyCheck.Build meets them: by the voice's
    // terms, each used by no more than CommonTerm voices, then in history order.
    private List<Entry> Echoes(Entry voice)
    {
        var seen = new HashSet<Entry>();
        var echoes = new List<Entry>();
        foreach (var term in voice.VoiceTerms)
        {
            if (!_voices.TryGetValue(term, out var users) || users.Count > TestimonyCheck.CommonTerm)
            {
                continue;
            }

            foreach (var other in users)
            {
                if (other != voice && seen.Add(other) && TestimonyCheck.Repeats(voice.Name, voice.VoiceTerms, other.Name, other.VoiceTerms))
                {
                    echoes.Add(other);
                }
            }
        }

        return echoes;
    }

    private void AddVoice(Entry voice, Work work)
    {
        foreach (var term in voice.VoiceTerms)
        {
            if (!_voices.TryGetValue(term, out var users))
            {
                users = new SortedSet<Entry>(EntryOrder.Instance);
                _voices[term] = users;
            }

            users.Add(voice);
            if (users.Count == TestimonyCheck.CommonTerm + 1 && !work.All)
            {
                work.Voices.UnionWith(users); // the term no longer links anyone
            }
        }

        if (!work.All)
        {
            work.Voices.UnionWith(Echoes(voice));
        }
    }

    private void RemoveVoice(Entry voice, Work work)
    {
        if (!work.All)
        {
            work.Voices.UnionWith(Echoes(voice));
        }

        foreach (var term in voice.VoiceTerms)
        {
            var users = _voices[term];
            users.Remove(voice);
            if (users.Count == 0)
            {
                _voices.Remove(term);
            }
            else if (users.Count == TestimonyCheck.CommonTerm && !work.All)
            {
                work.Voices.UnionWith(users); // the term links its voices again
            }
        }

        voice.Kind = Kind.Plain;
        voice.Final = null;
        SetChorus(voice, null);
    }

    // Records the shared terms of the chorus a voice was checked as (indexed by the first), or none.
    private void SetChorus(Entry voice, List<string>? shared)
    {
        if (voice.Shared is { } old)
        {
            Unbucket(_choruses, old[0], voice);
        }

        voice.Shared = shared;
        if (shared is not null)
        {
            Bucket(_choruses, shared[0]).Add(voice);
        }
    }

    private void SetFlag(Entry entry, string? reason)
    {
        if (reason is null)
        {
            _flags.Remove(entry.Id);
        }
        else
        {
            _flags[entry.Id] = reason;
        }
    }

    private static HashSet<TValue> Bucket<TValue>(Dictionary<string, HashSet<TValue>> index, string key)
    {
        if (!index.TryGetValue(key, out var set))
        {
            set = [];
            index[key] = set;
        }

        return set;
    }

    private static List<TValue> Bucket<TValue>(Dictionary<string, List<TValue>> index, string key)
    {
        if (!index.TryGetValue(key, out var list))
        {
            list = [];
            index[key] = list;
        }

        return list;
    }

    private static void Unbucket<TValue>(Dictionary<string, HashSet<TValue>> index, string key, TValue value)
    {
        if (index.TryGetValue(key, out var set) && set.Remove(value) && set.Count == 0)
        {
            index.Remove(key);
        }
    }

    // One speaker (letter case ignored), with what the checks know of them.
    private sealed class Speaker(string key)
    {
        public string Key { get; } = key; // as first seen: the checks compare names ignoring case

        public int Standing { get; set; }

        public HashSet<Entry> Turns { get; } = [];

        public TestimonyAccount Account { get; } = new(countTerms: true);

        public SortedSet<Entry> UserTurns { get; } = new(EntryOrder.Instance); // the account's turns, history order

        public bool InHistory { get; set; } // the account's turns are in the established history

        public Entry? First { get; set; } // the account's first turn at the last refresh: the person's name and rank

        public int Rank { get; set; }

        public Dictionary<string, HashSet<Entry>>? Mentions { get; set; } // while established: turns naming them, by speaker

        public Dictionary<string, List<Entry>>? MentionTerms { get; set; } // the same by term (compact: few leave)

        public bool HasStanding => Standing >= TestimonyCheck.EstablishedTurns;

        public bool IsPerson => HasStanding && Account.Count > 0;
    }

    // One turn of the history, its derived text features (computed once) and its verdicts.
    private sealed class Entry(Turn turn, string name, Speaker speaker, bool quarantined, int serial, Dictionary<string, string> strings)
    {
        private HashSet<string>? _terms;
        private HashSet<string>? _voiceTerms;
        private string? _bait;
        private bool _baitRead;
        private bool? _ownAccount;

        public Turn Turn { get; } = turn;

        public string Id => Turn.Id;

        public string Name { get; } = name; // the speaker as this turn spells it

        public Speaker Speaker { get; } = speaker;

        public bool Quarantined { get; } = quarantined;

        public int Serial { get; } = serial;

        public bool Judged => Turn.Role is not (TurnRole.Assistant or TurnRole.System);

        public bool Removed { get; set; }

        public List<Speaker>? NamedBy { get; set; } // the established people it names

        public Kind Kind { get; set; }

        public string? Reason { get; set; } // its own verdict: bait, hearsay, quarantined

        public string? Final { get; set; } // a voice's verdict

        public List<string>? Shared { get; set; } // the terms of the chorus a voice was checked as

        public HashSet<string> Terms => _terms ??= Pooled(TextAnalyzer.Terms(Turn.Text).Where(t => t.Length > 1));

        public HashSet<string> VoiceTerms => _voiceTerms ??= Pooled(TestimonyCheck.ClaimTerms(Turn.Text, Name, Name)); // the same order

        public IReadOnlyList<(int Index, string Value)> Words => TestimonyCheck.Words(Turn.Text); // not kept: read when indexed

        public bool OwnAccount => _ownAccount ??= TestimonyCheck.IsOwnAccount(Turn.Text, Name);

        // The terms, in order, each as the ledger's one copy of it.
        private HashSet<string> Pooled(IEnumerable<string> terms)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var term in terms)
            {
                if (!strings.TryGetValue(term, out var copy))
                {
                    copy = term;
                    strings[term] = copy;
                }

                set.Add(copy);
            }

            set.TrimExcess();
            return set;
        }

        public string? Bait
        {
            get
            {
                if (!_baitRead)
                {
                    _bait = TestimonyCheck.BaitReason(Turn.Text);
                    _baitRead = true;
                }

                return _bait;
            }
        }
    }

    // History order, as AgentMemory lists turns: by timestamp, then arrival.
    private sealed class EntryOrder : IComparer<Entry?>
    {
        public static readonly EntryOrder Instance = new();

        public int Compare(Entry? x, Entry? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            var c = x.Turn.Timestamp.CompareTo(y.Turn.Timestamp);
            if (c == 0)
            {
                c = x.Turn.Sequence.CompareTo(y.Turn.Sequence);
            }

            return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
        }
    }

    // What one refresh must judge again.
    private sealed class Work(bool all)
    {
        public bool All { get; } = all; // a rebuild: everything is judged

        public HashSet<Entry> Judge { get; } = [];

        public HashSet<Entry> Voices { get; } = [];

        public Dictionary<Speaker, bool> Speakers { get; } = []; // touched speakers, with their standing before
    }
}
