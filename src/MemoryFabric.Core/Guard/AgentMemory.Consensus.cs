using System.Globalization;
using System.Text.RegularExpressions;
using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Retrieval;
using MemoryFabric.Text;

namespace MemoryFabric;

// Retrieval-time consensus (within one agent). Each candidate of a query from a weak source (trust below
// MemoryGuardOptions.ConsensusStrongTrust, or a speaker who is not one of the main participants) has its claim
// derived by rules: a note's (subject, attribute, value); a turn's or note's content terms. The claim is compared with
// what the strong sources (main participants, high trust) back:
//  - contradiction: a weak note whose (subject, attribute) has strongly backed values, none of them its own value;
//  - uncorroborated: a weak record about things the strong sources discuss (it shares terms with them) that
//    introduces terms no strong source ever used (a value nobody trusted stated, an odd trigger token);
//  - derived: a weak note extracted from a quarantined turn.
// A flagged candidate leaves the results and is quarantined (detector "consensus") with its weak source turns. Strong
// sources are never flagged, so the same trusted speaker later stating a new value is an update, not an attack.
public sealed partial class AgentMemory
{
    /// <summary>The detector name of items quarantined by retrieval-time consensus.</summary>
    public const string ConsensusDetector = "consensus";

    private int _consensusEpoch;
    private ConsensusView? _consensusView;

    // A verbatim context shows the whole history: every retrievable turn is a candidate (only weak ones are checked).
    private async Task ScreenHistoryByConsensusAsync(CancellationToken cancellationToken)
    {
        if (_options.Guard is { Enabled: true, Consensus: true })
        {
            await ScreenByConsensusAsync(RetrievableTurns().Select(t => new Ranked(MemoryItemKind.Turn, t.Id)).ToList(), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<Ranked>> ScreenByConsensusAsync(List<Ranked> results, CancellationToken cancellationToken)
    {
        var guard = _options.Guard;
        if (guard is null || !guard.Enabled || !guard.Consensus || results.Count == 0)
        {
            return results;
        }

        var view = ConsensusViewNow(guard);
        if (view.Documents.Count == 0)
        {
            return results; // no trusted source to compare with
        }

        var flags = new Dictionary<string, string>(StringComparer.Ordinal); // item id → reason
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in results)
        {
            if (IsReleased(r.Id))
            {
                continue; // a reviewer released it: the decision stands
            }

            switch (r.Kind)
            {
                case MemoryItemKind.Turn when _turns.TryGetValue(r.Id, out var turn):
                    if (CheckTurn(turn, view, guard) is { } turnReason)
                    {
                        flags.TryAdd(turn.Id, turnReason);
                        dropped.Add(r.Id);
                    }

                    break;
                case MemoryItemKind.Note when _notes.Get(r.Id) is { } note:
                    if (CheckNote(note, view, guard, flags) is { } noteReason)
                    {
                        flags.TryAdd(r.Id, noteReason);
                        dropped.Add(r.Id);
                    }

                    break;
                case MemoryItemKind.Episode when _episodes.TryGetValue(r.Id, out var episode):
                    var weakTurns = 0;
                    var flaggedTurns = 0;
                    foreach (var id in episode.TurnIds)
                    {
                        if (!_turns.TryGetValue(id, out var t) || IsStrong(t, view, guard) || IsReleased(id))
                        {
                            continue;
                        }

                        weakTurns++;
                        if (IsExcluded(id))
                        {
                            flaggedTurns++;
                        }
                        else if (CheckTurn(t, view, guard) is { } reason)
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

        if (flags.Count == 0)
        {
            return results;
        }

        foreach (var (id, reason) in flags.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (DescribeItem(id) is not null && !IsExcluded(id))
            {
                await QuarantineAsync(id, reason, ConsensusDetector, cancellationToken).ConfigureAwait(false);
            }
        }

        // A flagged note's weak source turns go too: they carry the same claim.
        return results.Where(r => !dropped.Contains(r.Id) && !IsExcluded(r.Id)).ToList();
    }

    private string? CheckNote(Note note, ConsensusView view, Guard.MemoryGuardOptions guard, Dictionary<string, string> flags)
    {
        var weakTurns = note.Provenance.TurnIds.Where(id => _turns.TryGetValue(id, out var t) && !IsStrong(t, view, guard) && !IsReleased(id)).ToList();
        if (note.Provenance.Trust >= guard.ConsensusStrongTrust && weakTurns.Count == 0)
        {
            return null; // a strong source: never flagged (an update, not an attack)
        }

        string? reason = null;
        if (weakTurns.Any(IsExcluded))
        {
            reason = "consensus: extracted from a quarantined turn";
        }
        else if (note.Attribute is { } attribute && note.Value is { } value
            && view.StrongClaims.TryGetValue(ClaimKey(note.Subject, attribute), out var backed)
            && !backed.Values.Contains(value.Trim()))
        {
            reason = string.Create(CultureInfo.InvariantCulture,
                $"consensus: low-trust {note.Provenance.Source} claim '{note.Subject} {attribute} = {value}' (trust {note.Provenance.Trust:0.00}) contradicts '{string.Join(" / ", backed.Values)}' backed by {backed.Sources.Count} trusted source(s)");
        }
        else
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

    private string? CheckTurn(Turn turn, ConsensusView view, Guard.MemoryGuardOptions guard) =>
        IsStrong(turn, view, guard) ? null : Uncorroborated(turn.Text, turn.Speaker, view, guard, turn.Source.ToString(), turn.Trust);

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

    private static bool IsStrong(Turn turn, ConsensusView view, Guard.MemoryGuardOptions guard) =>
        turn.Trust >= guard.ConsensusStrongTrust && view.MainParticipants.Contains(turn.Speaker);

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

        // A main participant speaks a fair share of the trusted turns; a third party mentioned in passing does not.
        var main = new HashSet<string>(
            counts.Where(c => c.Value >= Math.Max(1, guard.ConsensusMainParticipantShare * strongTurns)).Select(c => c.Key),
            StringComparer.OrdinalIgnoreCase);
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
                    claim = new BackedClaim();
                    claims[k] = claim;
                }

                claim.Values.Add(value.Trim());
                foreach (var id in note.Provenance.TurnIds)
                {
                    if (_turns.TryGetValue(id, out var t))
                    {
                        claim.Sources.Add(t.SessionId + "|" + t.Speaker);
                    }
                }

                if (note.Provenance.TurnIds.Count == 0)
                {
                    claim.Sources.Add("note|" + note.Id);
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

    private sealed class BackedClaim
    {
        public HashSet<string> Values { get; } = new(StringComparer.OrdinalIgnoreCase);

        public HashSet<string> Sources { get; } = new(StringComparer.Ordinal);
    }
}
