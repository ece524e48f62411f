using System.Globalization;
using System.Text.RegularExpressions;
using MemoryFabric.Conversation;
using MemoryFabric.Guard;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;
using MemoryFabric.Text;

namespace MemoryFabric;

// Retrieval-time consensus. Each candidate of a query from a weak source (trust below
// MemoryGuardOptions.ConsensusStrongTrust, or, when ConsensusMainParticipantShare is set, a rare speaker) has its
// claim derived by rules: a note's (subject, attribute, value); a turn's or note's content terms. The claim is compared
// with what the strong sources back (the view of them is built only when a candidate has a weak source):
//  - contradiction: a weak note whose (subject, attribute) has strongly backed values, none of them its own value;
//  - uncorroborated: a weak record about things the strong sources discuss (it shares terms with them) that
//    introduces terms no strong source ever used (a value nobody trusted stated, an odd trigger token);
//  - derived: a weak note extracted from a quarantined turn.
// A flagged candidate leaves the results and is quarantined (detector "consensus") with its weak source turns. Strong
// sources are never flagged, so the same trusted speaker later stating a new value is an update, not an attack.
// Claims are the notes' own (subject, attribute, value) and, when MemoryGuardOptions.ClaimExtractor is set (an
// IChatClient), what it derives from weak turns and notes. The agents of the agent's relation groups (ConsensusPeers)
// are independent sources too: their trusted claims about the same subjects back or contradict a weak claim.
// Lessons are consulted here as well: a candidate written before a lesson was learned is caught at retrieval.
public sealed partial class AgentMemory
{
    /// <summary>The detector name of items quarantined by retrieval-time consensus.</summary>
    public const string ConsensusDetector = "consensus";

    private readonly Dictionary<string, IReadOnlyList<MemoryClaim>> _derivedClaims = new(StringComparer.Ordinal);
    private int _consensusEpoch;
    private ConsensusView? _consensusView;
    private readonly TestimonyKeeper _testimony = new(); // built at the first screen that needs it, or after a restore in the background
    private ((int Epoch, int Quarantine, double Strong, double Share) Key, HashSet<string> Main)? _mainParticipants;

    /// <summary>The other agents of this agent's relation groups, asked for their trusted claims when a weak
    /// candidate makes a claim (set by the host; none by default).</summary>
    public IConsensusPeers? ConsensusPeers { get; set; }

    /// <summary>Suspends the guard at run time (a tenant turned it off): nothing new is screened, flagged or
    /// quarantined; what was quarantined stays out until released.</summary>
    public bool GuardSuspended { get; set; }

    /// <summary>The claims this agent's trusted memories back (main participants' notes with an attribute value),
    /// which the agents of its relation groups compare their weak memories with.</summary>
    /// <returns>The claims, each with its number of independent trusted sources.</returns>
    public IReadOnlyList<ConsensusClaim> GetTrustedClaims()
    {
        var view = ConsensusViewNow(_options.Guard ?? new Guard.MemoryGuardOptions());
        return view.StrongClaims.Values
            .SelectMany(c => c.Values.Select(v => new ConsensusClaim(c.Subject, c.Attribute, v.Key, v.Value.Count)))
            .OrderBy(c => c.Subject, StringComparer.Ordinal).ThenBy(c => c.Attribute, StringComparer.Ordinal).ThenBy(c => c.Value, StringComparer.Ordinal)
            .ToList();
    }

    // The guard's options when it runs, otherwise null.
    private Guard.MemoryGuardOptions? ActiveGuard => GuardSuspended ? null : _options.Guard is { Enabled: true } guard ? guard : null;

    // A verbatim context shows the whole history: every retrievable turn is a candidate (only weak ones are checked).
    private async Task ScreenHistoryByConsensusAsync(CancellationToken cancellationToken)
    {
        if (ActiveGuard is { } guard && (guard.Consensus || guard.Testimony || (guard.UseLessons && _lessons.Count != 0)))
        {
            await ScreenByConsensusAsync(RetrievableTurns().Select(t => new Ranked(MemoryItemKind.Turn, t.Id)).ToList(), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<Ranked>> ScreenByConsensusAsync(List<Ranked> results, CancellationToken cancellationToken)
    {
        var guard = ActiveGuard;
        if (guard is null || results.Count == 0 || !(guard.Consensus || guard.Testimony || (guard.UseLessons && _lessons.Count != 0)))
        {
            return results;
        }

        var flags = new Dictionary<string, string>(StringComparer.Ordinal); // item id → reason
        var detectors = new Dictionary<string, string>(StringComparer.Ordinal);
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        if (guard.UseLessons && _lessons.Count != 0)
        {
            foreach (var r in results)
            {
                if (!IsReleased(r.Id) && DescribeItem(r.Id) is { } item && MatchLesson(item.Text, guard) is { } lesson)
                {
                    flags.TryAdd(r.Id, $"matches lesson {lesson.Id}: {lesson.Reason}");
                    detectors.TryAdd(r.Id, "lesson:" + lesson.Id);
                    dropped.Add(r.Id);
                }
            }
        }

        // The full view (every trusted memory's terms and claims) is built only when a candidate has a weak source:
        // a query whose candidates are all trusted costs one pass over the speakers, not a re-read of the history.
        if (guard.Consensus && results.Any(r => !dropped.Contains(r.Id) && HasWeakSource(r, MainParticipantsNow(guard), guard)))
        {
            var view = ConsensusViewNow(guard);
            var claims = await WeakClaimsAsync(results.Where(r => !dropped.Contains(r.Id)), view, guard, cancellationToken).ConfigureAwait(false);
            var peers = await PeerClaimsAsync(claims, cancellationToken).ConfigureAwait(false);
            if (view.Documents.Count != 0 || peers.Count != 0)
            {
                CheckCandidates(results, view, guard, claims, peers, flags, dropped);
            }
        }

        if (guard.Testimony)
        {
            await _testimony.WaitAsync(cancellationToken).ConfigureAwait(false); // a build started by a restore
            ScreenTestimony(results, flags, detectors, dropped); // after consensus: a weak source is consensus's
        }

        if (flags.Count == 0 && dropped.Count == 0)
        {
            return results;
        }

        foreach (var (id, reason) in flags.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (DescribeItem(id) is not null && !IsExcluded(id))
            {
                await QuarantineAsync(id, reason, detectors.GetValueOrDefault(id, ConsensusDetector), cancellationToken).ConfigureAwait(false);
            }
        }

        // A flagged note's weak source turns go too: they carry the same claim.
        return results.Where(r => !dropped.Contains(r.Id) && !IsExcluded(r.Id)).ToList();
    }

    // The checks that need no labels (Guard/TestimonyCheck.cs), whose verdicts over the whole history a ledger keeps
    // up to date (Guard/TestimonyLedger.cs): a refresh costs what the turns changed since the last one can affect.
    private void ScreenTestimony(List<Ranked> results, Dictionary<string, string> flags, Dictionary<string, string> detectors, HashSet<string> dropped)
    {
        var judge = _testimony.Judge(TestimonyState, TestimonyHistory);
        foreach (var r in results.Where(r => !dropped.Contains(r.Id) && !IsReleased(r.Id)))
        {
            IReadOnlyList<string> turnIds = r.Kind switch
            {
                MemoryItemKind.Turn => [r.Id],
                MemoryItemKind.Note => _notes.Get(r.Id)?.Provenance.TurnIds ?? [],
                _ => _episodes.TryGetValue(r.Id, out var episode) ? episode.TurnIds : [],
            };
            var (drop, verdicts) = judge(r.Kind, r.Id, turnIds.Where(id => !IsReleased(id)).ToList());
            foreach (var (id, reason) in verdicts)
            {
                flags.TryAdd(id, reason);
                detectors.TryAdd(id, TestimonyCheck.DetectorName);
            }

            if (drop)
            {
                dropped.Add(r.Id);
            }
        }
    }

    /// <summary>The testimony verdicts over the current history, deferred changes included (for tests: a screen
    /// leaves the guard's own quarantines of flagged turns for its next refresh).</summary>
    /// <returns>The ledger.</returns>
    internal TestimonyLedger CurrentTestimony() => TestimonyNow(force: true);

    /// <summary>Whether the testimony ledger is being built in the background (after a restore) and not installed yet.</summary>
    internal bool IsTestimonyBuilding => _testimony.IsBuilding;

    /// <summary>Runs the testimony ledger's background build after a restore (tests hold it back).</summary>
    internal Func<Func<TestimonyLedger>, Task<TestimonyLedger>> TestimonyBuildRunner
    {
        get => _testimony.Runner;
        set => _testimony.Runner = value;
    }

    /// <summary>How many screens judged from the verdicts a restored snapshot carried (the ledger not built yet).</summary>
    internal int TestimonyJudgedFromSnapshot => _testimony.JudgedFromSnapshot;

    // The ledger of the history, refreshed with the turns changed since the last screen.
    private TestimonyLedger TestimonyNow(bool force = false) => _testimony.Now(TestimonyState, TestimonyHistory, force);

    // After a restore: screens judge from the snapshot's verdicts (while no turn changes) and the ledger of the
    // restored history is built off the caller's thread (when the checks run), so the first search of an activated
    // agent does not build it over the whole history on the request path.
    private void RebuildTestimonyInBackground(IReadOnlyDictionary<string, string>? verdicts)
    {
        if (ActiveGuard is { Testimony: true })
        {
            _testimony.Restored(TestimonyHistory(), verdicts);
        }
        else
        {
            _testimony.Reset();
        }
    }

    // What the testimony checks read of a turn: the turn and whether it is quarantined; nothing once it is gone or
    // released (a reviewer's decision stands: it is no longer judged).
    private (Turn Turn, bool Quarantined)? TestimonyState(string turnId) =>
        _turns.TryGetValue(turnId, out var turn) && !IsReleased(turnId) ? (turn, IsExcluded(turnId)) : null;

    private IEnumerable<(Turn Turn, bool Quarantined)> TestimonyHistory() =>
        _turns.Values.Where(t => !IsReleased(t.Id)).Select(t => (t, IsExcluded(t.Id)));

    // A turn was stored or removed, or quarantined or released: the ledger reads its state at the next screen. The
    // testimony check's own quarantine of a turn it flagged is deferred: the turn keeps its flag until then.
    private void TestimonyChanged(string turnId, bool deferred = false) => _testimony.Changed(turnId, deferred);

    private void CheckCandidates(
        List<Ranked> results, ConsensusView view, Guard.MemoryGuardOptions guard,
        Dictionary<string, IReadOnlyList<MemoryClaim>> claims, Dictionary<string, BackedClaim> peers,
        Dictionary<string, string> flags, HashSet<string> dropped)
    {
        foreach (var r in results)
        {
            if (IsReleased(r.Id) || dropped.Contains(r.Id))
            {
                continue; // a reviewer released it: the decision stands
            }

            var itemClaims = claims.GetValueOrDefault(r.Id) ?? [];
            switch (r.Kind)
            {
                case MemoryItemKind.Turn when _turns.TryGetValue(r.Id, out var turn):
                    if (CheckTurn(turn, view, guard, itemClaims, peers) is { } turnReason)
                    {
                        flags.TryAdd(turn.Id, turnReason);
                        dropped.Add(r.Id);
                    }

                    break;
                case MemoryItemKind.Note when _notes.Get(r.Id) is { } note:
                    if (CheckNote(note, view, guard, itemClaims, peers, flags) is { } noteReason)
                    {
                        flags.TryAdd(r.Id, noteReason);
                        dropped.Add(r.Id);
                    }

                    break;
                case MemoryItemKind.Episode when _episodes.TryGetValue(r.Id, out var episode):
                    var flaggedTurns = 0;
                    foreach (var id in episode.TurnIds)
                    {
                        if (!_turns.TryGetValue(id, out var t) || IsStrong(t, view.MainParticipants, guard) || IsReleased(id))
                        {
                            continue;
                        }

                        if (IsExcluded(id))
                        {
                            flaggedTurns++;
                        }
                        else if (CheckTurn(t, view, guard, claims.GetValueOrDefault(id) ?? [], peers) is { } reason)
                        {
                            flags.TryAdd(id, reason);
                            flaggedTurns++;
                        }
                    }

                    if (flaggedTurns > 0)
                    {
                        dropped.Add(r.Id); // its summary may carry the flagged turns until the session is re-segmented
                        if (flaggedTurns == episode.TurnIds.Count)
                        {
                            flags.TryAdd(r.Id, "consensus: every turn of the episode was flagged");
                        }
                    }

                    break;
            }
        }
    }

    // The claims of the weak candidates (and of an episode's weak turns): a note's own attribute value, and what the
    // configured claim extractor derives (cached per item: records don't change).
    private async Task<Dictionary<string, IReadOnlyList<MemoryClaim>>> WeakClaimsAsync(
        IEnumerable<Ranked> candidates, ConsensusView view, Guard.MemoryGuardOptions guard, CancellationToken cancellationToken)
    {
        var claims = new Dictionary<string, IReadOnlyList<MemoryClaim>>(StringComparer.Ordinal);
        async Task AddAsync(string id, string text, string? speaker, Note? note)
        {
            if (claims.ContainsKey(id) || IsReleased(id))
            {
                return;
            }

            var list = new List<MemoryClaim>();
            if (note is { Attribute: { } attribute, Value: { } value } && !string.IsNullOrWhiteSpace(value))
            {
                list.Add(new MemoryClaim(note.Subject, attribute, value.Trim()));
            }

            if (guard.ClaimExtractor is { } extractor)
            {
                if (!_derivedClaims.TryGetValue(id, out var derived))
                {
                    derived = await extractor.ExtractAsync(SourceTag().Replace(text, " "), speaker, cancellationToken).ConfigureAwait(false);
                    _derivedClaims[id] = derived;
                }

                list.AddRange(derived);
            }

            claims[id] = list;
        }

        foreach (var r in candidates)
        {
            switch (r.Kind)
            {
                case MemoryItemKind.Turn when _turns.TryGetValue(r.Id, out var turn) && !IsStrong(turn, view.MainParticipants, guard):
                    await AddAsync(turn.Id, turn.Text, turn.Speaker, null).ConfigureAwait(false);
                    break;
                case MemoryItemKind.Note when _notes.Get(r.Id) is { } note && !IsStrongNote(note, view.MainParticipants, guard):
                    await AddAsync(note.Id, note.Text, note.Subject, note).ConfigureAwait(false);
                    break;
                case MemoryItemKind.Episode when _episodes.TryGetValue(r.Id, out var episode):
                    foreach (var id in episode.TurnIds)
                    {
                        if (_turns.TryGetValue(id, out var t) && !IsStrong(t, view.MainParticipants, guard) && !IsExcluded(id))
                        {
                            await AddAsync(t.Id, t.Text, t.Speaker, null).ConfigureAwait(false);
                        }
                    }

                    break;
            }
        }

        return claims;
    }

    // What the relation group's other agents back about the weak claims' subjects (one call, only when there is a
    // weak claim and a group).
    private async Task<Dictionary<string, BackedClaim>> PeerClaimsAsync(Dictionary<string, IReadOnlyList<MemoryClaim>> claims, CancellationToken cancellationToken)
    {
        var backed = new Dictionary<string, BackedClaim>(StringComparer.Ordinal);
        var subjects = claims.Values.SelectMany(c => c).Select(c => c.Subject.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (ConsensusPeers is not { } peers || subjects.Count == 0)
        {
            return backed;
        }

        foreach (var claim in await peers.GetClaimsAsync(subjects, cancellationToken).ConfigureAwait(false))
        {
            var key = ClaimKey(claim.Subject, claim.Attribute);
            if (!backed.TryGetValue(key, out var entry))
            {
                entry = new BackedClaim(claim.Subject.Trim(), claim.Attribute.Trim());
                backed[key] = entry;
            }

            var sources = entry.SourcesOf(claim.Value);
            for (var i = 0; i < Math.Max(1, claim.Sources); i++)
            {
                sources.Add($"agent|{claim.Agent}|{i}");
            }
        }

        return backed;
    }

    // Compares a weak record's claims with the trusted ones (this agent's and its peers'): the reason it contradicts
    // them, or null; corroborated when another agent's trusted memories state the same value.
    private static string? CheckClaims(
        IReadOnlyList<MemoryClaim> claims, ConsensusView view, Dictionary<string, BackedClaim> peers, string source, double trust, out bool corroborated)
    {
        corroborated = false;
        foreach (var claim in claims)
        {
            var key = ClaimKey(claim.Subject, claim.Attribute);
            var local = view.StrongClaims.GetValueOrDefault(key);
            var peer = peers.GetValueOrDefault(key);
            var value = claim.Value.Trim();
            if (peer?.Values.ContainsKey(value) ?? false)
            {
                corroborated = true; // another agent's trusted memories state it: backed even if this agent never heard it
                continue;
            }

            if (local?.Values.ContainsKey(value) ?? false)
            {
                continue;
            }

            if (local is not null || peer is not null)
            {
                var values = (local?.Values.Keys ?? Enumerable.Empty<string>()).Concat(peer?.Values.Keys ?? Enumerable.Empty<string>()).Distinct(StringComparer.OrdinalIgnoreCase);
                var agents = peer?.Values.Values.SelectMany(s => s).Select(s => s.Split('|')[1]).Distinct(StringComparer.Ordinal).ToList() ?? [];
                var by = (local is null ? 0 : local.Values.Values.SelectMany(s => s).Distinct(StringComparer.Ordinal).Count()) + agents.Count;
                return string.Create(CultureInfo.InvariantCulture,
                    $"consensus: low-trust {source} claim '{claim.Subject} {claim.Attribute} = {value}' (trust {trust:0.00}) contradicts '{string.Join(" / ", values)}' backed by {by} trusted source(s)")
                    + (agents.Count == 0 ? "" : $" including agent(s) {string.Join(", ", agents)} of its relation group");
            }
        }

        return null;
    }

    private string? CheckNote(Note note, ConsensusView view, Guard.MemoryGuardOptions guard, IReadOnlyList<MemoryClaim> claims, Dictionary<string, BackedClaim> peers, Dictionary<string, string> flags)
    {
        var weakTurns = note.Provenance.TurnIds.Where(id => _turns.TryGetValue(id, out var t) && !IsStrong(t, view.MainParticipants, guard) && !IsReleased(id)).ToList();
        if (note.Provenance.Trust >= guard.ConsensusStrongTrust && weakTurns.Count == 0)
        {
            return null; // a strong source: never flagged (an update, not an attack)
        }

        string? reason = null;
        if (weakTurns.Any(IsExcluded))
        {
            reason = "consensus: extracted from a quarantined turn";
        }
        else if (CheckClaims(claims, view, peers, note.Provenance.Source.ToString(), note.Provenance.Trust, out var corroborated) is { } contradiction)
        {
            reason = contradiction;
        }
        else if (!corroborated && view.Documents.Count != 0)
        {
            reason = Uncorroborated(note.Text, note.Subject, view, guard, note.Provenance.Source.ToString(), note.Provenance.Trust);
        }

        if (reason is not null)
        {
            foreach (var id in weakTurns)
            {
                flags.TryAdd(id, reason + $" (source of note {note.Id})");
            }
        }

        return reason;
    }

    private bool IsReleased(string id) =>
        _quarantine.Count != 0 && _quarantine.TryGetValue(id, out var entry) && entry.Status == Guard.QuarantineStatus.Released;

    private static string? CheckTurn(Turn turn, ConsensusView view, Guard.MemoryGuardOptions guard, IReadOnlyList<MemoryClaim> claims, Dictionary<string, BackedClaim> peers)
    {
        if (IsStrong(turn, view.MainParticipants, guard))
        {
            return null;
        }

        if (CheckClaims(claims, view, peers, turn.Source.ToString(), turn.Trust, out var corroborated) is { } contradiction)
        {
            return contradiction;
        }

        return corroborated || view.Documents.Count == 0 ? null : Uncorroborated(turn.Text, turn.Speaker, view, guard, turn.Source.ToString(), turn.Trust);
    }

    private bool IsStrongNote(Note note, HashSet<string> main, Guard.MemoryGuardOptions guard) =>
        note.Provenance.Trust >= guard.ConsensusStrongTrust
        && note.Provenance.TurnIds.All(id => !_turns.TryGetValue(id, out var t) || IsStrong(t, main, guard));

    // Whether a candidate is, or (an episode) holds, a record from a weak source: only those are checked.
    private bool HasWeakSource(Ranked r, HashSet<string> main, Guard.MemoryGuardOptions guard) => r.Kind switch
    {
        MemoryItemKind.Turn => _turns.TryGetValue(r.Id, out var turn) && !IsStrong(turn, main, guard),
        MemoryItemKind.Note => _notes.Get(r.Id) is { } note && !IsStrongNote(note, main, guard),
        MemoryItemKind.Episode => _episodes.TryGetValue(r.Id, out var episode)
            && episode.TurnIds.Any(id => _turns.TryGetValue(id, out var t) && !IsStrong(t, main, guard)),
        _ => false,
    };

    // A weak record about what the trusted sources discuss whose terms the trusted sources never used together with
    // the record's most specific terms (its anchors): a value no trusted source stated about that topic, or an odd
    // token nobody trusted ever used. A record restating one trusted memory passes: all its terms co-occur there.
    private static string? Uncorroborated(string text, string? speaker, ConsensusView view, Guard.MemoryGuardOptions guard, string source, double trust)
    {
        var ignored = new HashSet<string>(TextAnalyzer.Terms(speaker), StringComparer.Ordinal);
        var terms = TextAnalyzer.Terms(SourceTag().Replace(text, " ")).Where(t => t.Length > 1 && !ignored.Contains(t)).Distinct(StringComparer.Ordinal).ToList();
        var related = terms.Where(t => view.Postings.ContainsKey(t) && !view.ParticipantTerms.Contains(t)).ToList();
        var subjects = terms.Where(t => view.ParticipantTerms.Contains(t) && view.Postings.ContainsKey(t)).ToList();
        if (related.Count < guard.ConsensusMinRelatedTerms && subjects.Count == 0)
        {
            return null; // neither about a main participant nor about what the trusted sources discuss: nothing to compare with
        }

        var anchors = (related.Count > 0 ? related : subjects).OrderBy(t => view.Postings[t].Count).ThenBy(t => t, StringComparer.Ordinal).Take(guard.ConsensusAnchors).ToList();
        var unbacked = new List<string>();
        foreach (var term in terms)
        {
            if (!anchors.All(a => string.Equals(a, term, StringComparison.Ordinal) || view.Postings[a].Any(d => view.Documents[d].Contains(term))))
            {
                unbacked.Add(term);
            }
        }

        if (unbacked.Count == 0)
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"consensus: low-trust {source} record (trust {trust:0.00}, speaker '{speaker}') asserts '{string.Join(" ", unbacked.Take(6))}' about '{string.Join(" ", anchors)}', which no trusted memory of this agent on that topic backs");
    }

    private static bool IsStrong(Turn turn, HashSet<string> main, Guard.MemoryGuardOptions guard) =>
        turn.Trust >= guard.ConsensusStrongTrust && main.Contains(turn.Speaker);

    // The main participants: the speakers of a fair share of the trusted turns (a third party mentioned in passing is
    // not one). Cached until turns or the quarantine change.
    private HashSet<string> MainParticipantsNow(Guard.MemoryGuardOptions guard)
    {
        var key = (_consensusEpoch, _quarantine.Count, guard.ConsensusStrongTrust, guard.ConsensusMainParticipantShare);
        if (_mainParticipants is { } cached && cached.Key == key)
        {
            return cached.Main;
        }

        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var strongTurns = 0;
        foreach (var turn in _turns.Values)
        {
            if (turn.Trust >= guard.ConsensusStrongTrust && !IsExcluded(turn.Id))
            {
                counts[turn.Speaker] = counts.GetValueOrDefault(turn.Speaker) + 1;
                strongTurns++;
            }
        }

        var main = new HashSet<string>(
            counts.Where(c => c.Value >= Math.Max(1, guard.ConsensusMainParticipantShare * strongTurns)).Select(c => c.Key),
            StringComparer.OrdinalIgnoreCase);
        _mainParticipants = (key, main);
        return main;
    }

    private static string ClaimKey(string subject, string attribute) =>
        subject.Trim().ToLowerInvariant() + "|" + attribute.Trim().ToLowerInvariant();

    // What the strong sources back: main participants, their terms and their notes' claims. Cached until turns,
    // notes or the quarantine change.
    private ConsensusView ConsensusViewNow(Guard.MemoryGuardOptions guard)
    {
        var key = (_consensusEpoch, _notes.Count, _quarantine.Count, guard.ConsensusStrongTrust);
        if (_consensusView is { } cached && cached.Key == key)
        {
            return cached;
        }

        var main = MainParticipantsNow(guard);
        var documents = new List<HashSet<string>>();
        var postings = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        void AddDocument(IEnumerable<string> terms)
        {
            var set = new HashSet<string>(terms, StringComparer.Ordinal);
            foreach (var term in set)
            {
                if (!postings.TryGetValue(term, out var list))
                {
                    list = [];
                    postings[term] = list;
                }

                list.Add(documents.Count);
            }

            documents.Add(set);
        }

        foreach (var turn in OrderedTurns())
        {
            if (turn.Trust >= guard.ConsensusStrongTrust && main.Contains(turn.Speaker) && !IsExcluded(turn.Id))
            {
                AddDocument(TextAnalyzer.Terms(turn.Text).Concat(TextAnalyzer.Terms(turn.Speaker)));
            }
        }

        var claims = new Dictionary<string, BackedClaim>(StringComparer.Ordinal);
        foreach (var note in _notes.Active.OrderBy(n => n.Id, StringComparer.Ordinal))
        {
            if (note.Provenance.Trust < guard.ConsensusStrongTrust || IsExcluded(note.Id)
                || note.Provenance.TurnIds.Any(id => _turns.TryGetValue(id, out var t) && !(t.Trust >= guard.ConsensusStrongTrust && main.Contains(t.Speaker))))
            {
                continue;
            }

            AddDocument(TextAnalyzer.Terms(note.Text).Concat(TextAnalyzer.Terms(note.Subject)));
            if (note.Attribute is { } attribute && note.Value is { } value)
            {
                var k = ClaimKey(note.Subject, attribute);
                if (!claims.TryGetValue(k, out var claim))
                {
                    claim = new BackedClaim(note.Subject.Trim(), attribute.Trim());
                    claims[k] = claim;
                }

                var sources = claim.SourcesOf(value);
                foreach (var id in note.Provenance.TurnIds)
                {
                    if (_turns.TryGetValue(id, out var t))
                    {
                        sources.Add(t.SessionId + "|" + t.Speaker);
                    }
                }

                if (note.Provenance.TurnIds.Count == 0)
                {
                    sources.Add("note|" + note.Id);
                }
            }
        }

        var participantTerms = new HashSet<string>(main.SelectMany(TextAnalyzer.Terms), StringComparer.Ordinal);
        _consensusView = new ConsensusView(key, main, participantTerms, documents, postings, claims);
        return _consensusView;
    }

    [GeneratedRegex(@"^\s*\[[^\]\r\n]{1,60}\]")]
    private static partial Regex SourceTag();

    private sealed record ConsensusView(
        (int Epoch, int Notes, int Quarantine, double Strong) Key,
        HashSet<string> MainParticipants,
        HashSet<string> ParticipantTerms,
        List<HashSet<string>> Documents,
        Dictionary<string, List<int>> Postings,
        Dictionary<string, BackedClaim> StrongClaims);

    // The values trusted sources state for one (subject, attribute), each with its sources.
    private sealed class BackedClaim(string subject, string attribute)
    {
        public string Subject { get; } = subject;

        public string Attribute { get; } = attribute;

        public Dictionary<string, HashSet<string>> Values { get; } = new(StringComparer.OrdinalIgnoreCase);

        public HashSet<string> SourcesOf(string value)
        {
            var key = value.Trim();
            if (!Values.TryGetValue(key, out var sources))
            {
                sources = new HashSet<string>(StringComparer.Ordinal);
                Values[key] = sources;
            }

            return sources;
        }
    }
}
