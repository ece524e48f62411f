using MemoryFabric.Conversation;
using MemoryFabric.Notes;
using MemoryFabric.Segmentation;
using MemoryFabric.Text;

namespace MemoryFabric.Forgetting;

/// <summary>
/// Plans what forgetting a set of turns takes, without changing anything: the turns to remove, the episodes to
/// rebuild from the turns that remain (or to remove), the note versions drawn only from forgotten turns (removed) and
/// those with another source (kept, the forgotten turns taken out of their provenance), and the turns that follow a
/// forgotten one (their index text quoted it as the question they answer). <see cref="AgentMemory"/> applies the plan.
/// </summary>
internal static class TurnForgetter
{
    /// <summary>Plans the forgetting of <paramref name="turnIds"/>.</summary>
    /// <param name="turnIds">The requested ids (duplicates ignored).</param>
    /// <param name="turns">The stored turns by id.</param>
    /// <param name="sessions">The stored turns of each session, in session order.</param>
    /// <param name="episodes">The stored episodes.</param>
    /// <param name="notes">Every stored note version.</param>
    /// <param name="heldNotes">The notes held in quarantine outside the note store.</param>
    /// <param name="isExcluded">Whether an item is quarantined (kept out of segmentation and retrieval).</param>
    /// <returns>The plan.</returns>
    public static TurnForgetPlan Plan(
        IReadOnlyList<string> turnIds,
        IReadOnlyDictionary<string, Turn> turns,
        IReadOnlyDictionary<string, List<Turn>> sessions,
        IEnumerable<Episode> episodes,
        IEnumerable<Note> notes,
        IEnumerable<Note> heldNotes,
        Func<string, bool> isExcluded)
    {
        var plan = new TurnForgetPlan();
        var forgotten = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in turnIds)
        {
            if (!forgotten.Add(id))
            {
                continue;
            }

            if (turns.TryGetValue(id, out var turn))
            {
                plan.Turns.Add(turn);
            }
            else
            {
                plan.UnknownTurnIds.Add(id);
            }
        }

        forgotten.ExceptWith(plan.UnknownTurnIds);
        if (plan.Turns.Count == 0)
        {
            return plan;
        }

        // The turn after a forgotten one was indexed with it when it was the question that turn answers.
        foreach (var turn in plan.Turns)
        {
            var session = sessions[turn.SessionId];
            var index = session.IndexOf(turn);
            for (var next = index + 1; next < session.Count; next++)
            {
                if (!forgotten.Contains(session[next].Id))
                {
                    plan.Followers.Add(session[next]);
                    break;
                }
            }
        }

        foreach (var episode in episodes)
        {
            if (!episode.TurnIds.Any(forgotten.Contains))
            {
                continue;
            }

            var remaining = episode.TurnIds.Where(id => !forgotten.Contains(id)).Select(id => turns.GetValueOrDefault(id)).OfType<Turn>().ToList();
            plan.Episodes.Add((episode, remaining.Count == 0 ? null : Rebuild(episode, remaining, sessions[episode.SessionId], forgotten, isExcluded)));
        }

        var quotes = plan.Turns.SelectMany(t => Quotable(t.Text)).ToList();
        foreach (var note in notes)
        {
            Classify(note, forgotten, quotes, plan.RemovedNotes, plan.RedactedNotes);
        }

        foreach (var note in heldNotes)
        {
            Classify(note, forgotten, quotes, plan.RemovedHeldNotes, plan.RedactedHeldNotes);
        }

        return plan;
    }

    // A version drawn only from forgotten turns goes, and so does one that quotes a forgotten turn (a short answer's
    // note quotes its question); one with another source stays without them.
    private static void Classify(Note note, HashSet<string> forgotten, List<string> quotes, List<Note> removed, List<Note> redacted)
    {
        var sources = note.Provenance.TurnIds;
        if (sources.Count == 0 || !sources.Any(forgotten.Contains))
        {
            return;
        }

        var kept = sources.Where(id => !forgotten.Contains(id)).ToList();
        if (kept.Count == 0 || quotes.Any(q => note.Text.Contains(q, StringComparison.OrdinalIgnoreCase)))
        {
            removed.Add(note);
        }
        else
        {
            redacted.Add(note with { Provenance = note.Provenance with { TurnIds = kept } });
        }
    }

    // The pieces of a turn's text whose presence in a note means the note quotes it: its opening (quotes are
    // shortened from the start) and each sentence long enough not to match by chance.
    private static IEnumerable<string> Quotable(string text)
    {
        const int Opening = 32;
        const int MinSentence = 16;
        var trimmed = text.Trim();
        yield return trimmed.Length <= Opening ? trimmed : trimmed[..Opening];
        foreach (var sentence in SentenceSplitter.Split(trimmed))
        {
            if (sentence.Trim().Length >= MinSentence)
            {
                yield return sentence.Trim();
            }
        }
    }

    // The episode drawn again from the turns that remain (summary, keywords, entities, span), under its old id so
    // the notes that name it still do.
    private static Episode Rebuild(Episode episode, List<Turn> remaining, List<Turn> session, HashSet<string> forgotten, Func<string, bool> isExcluded)
    {
        var sessionTurns = session.Where(t => !forgotten.Contains(t.Id) && !isExcluded(t.Id)).ToList();
        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var turn in sessionTurns)
        {
            foreach (var term in TextAnalyzer.Terms(turn.Text).Distinct(StringComparer.Ordinal))
            {
                df[term] = df.GetValueOrDefault(term) + 1;
            }
        }

        var rebuilt = EpisodeBuilder.Build(new EpisodeSegment(remaining, episode.BoundaryReason), df, Math.Max(1, sessionTurns.Count));
        return rebuilt with { Id = episode.Id };
    }
}

/// <summary>What forgetting a set of turns takes (see <see cref="TurnForgetter.Plan"/>).</summary>
internal sealed class TurnForgetPlan
{
    /// <summary>The stored turns to remove, in request order.</summary>
    public List<Turn> Turns { get; } = [];

    /// <summary>The requested ids that name no stored turn.</summary>
    public List<string> UnknownTurnIds { get; } = [];

    /// <summary>The stored turns that directly follow a forgotten one in their session.</summary>
    public List<Turn> Followers { get; } = [];

    /// <summary>Each episode holding a forgotten turn, with its rebuild (<see langword="null"/>: nothing remains).</summary>
    public List<(Episode Old, Episode? Rebuilt)> Episodes { get; } = [];

    /// <summary>The note versions drawn only from forgotten turns.</summary>
    public List<Note> RemovedNotes { get; } = [];

    /// <summary>The note versions with another source, as they stand without the forgotten turns.</summary>
    public List<Note> RedactedNotes { get; } = [];

    /// <summary>The quarantined held notes drawn only from forgotten turns.</summary>
    public List<Note> RemovedHeldNotes { get; } = [];

    /// <summary>The quarantined held notes with another source, without the forgotten turns.</summary>
    public List<Note> RedactedHeldNotes { get; } = [];
}
