using MemoryFabric.Conversation;
using MemoryFabric.Text;

namespace MemoryFabric.Segmentation;

/// <summary>Turns a segment into an <see cref="Episode"/>: keywords, entities and a short extractive summary.</summary>
public static class EpisodeBuilder
{
    /// <summary>The longest summary, in characters.</summary>
    public const int MaxSummaryLength = 280;

    /// <summary>Builds the episode of a segment.</summary>
    /// <param name="segment">The segment.</param>
    /// <param name="sessionTermFrequencies">Document frequencies of terms across the session's turns (for keyword weighting).</param>
    /// <param name="sessionTurnCount">How many turns the session has.</param>
    /// <returns>The episode; its id is derived from the session and first turn, so re-segmenting is stable.</returns>
    public static Episode Build(EpisodeSegment segment, IReadOnlyDictionary<string, int> sessionTermFrequencies, int sessionTurnCount)
    {
        ArgumentNullException.ThrowIfNull(segment);
        ArgumentNullException.ThrowIfNull(sessionTermFrequencies);
        var turns = segment.Turns;
        var participants = turns.Select(t => t.Speaker).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var tf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in turns)
        {
            foreach (var term in TextAnalyzer.Terms(t.Text))
            {
                tf[term] = tf.GetValueOrDefault(term) + 1;
            }
        }

        var keywords = tf
            .Select(kv => (Term: kv.Key, Weight: kv.Value * Math.Log(1 + ((double)sessionTurnCount / Math.Max(1, sessionTermFrequencies.GetValueOrDefault(kv.Key))))))
            .Where(x => x.Term.Length > 2 && !x.Term.All(char.IsDigit))
            .OrderByDescending(x => x.Weight)
            .ThenBy(x => x.Term, StringComparer.Ordinal)
            .Take(8)
            .Select(x => x.Term)
            .ToList();

        var entities = turns.SelectMany(t => EntityExtractor.Extract(t.Text, participants))
            .Where(e => !participants.Contains(e, StringComparer.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

        var (summary, summaryTurnIds) = Summarize(turns, tf);
        return new Episode
        {
            Id = $"ep:{turns[0].SessionId}:{turns[0].Id}",
            SessionId = turns[0].SessionId,
            TurnIds = turns.Select(t => t.Id).ToList(),
            Start = turns[0].Timestamp,
            End = turns[^1].Timestamp,
            Participants = participants,
            Keywords = keywords,
            Entities = entities,
            Summary = summary,
            SummaryTurnIds = summaryTurnIds,
            BoundaryReason = segment.Reason,
        };
    }

    private static (string Summary, IReadOnlyList<string> TurnIds) Summarize(IReadOnlyList<Turn> turns, Dictionary<string, int> tf)
    {
        var candidates = new List<(int Order, Turn Turn, string Sentence, double Score)>();
        var order = 0;
        foreach (var turn in turns)
        {
            foreach (var sentence in SentenceSplitter.Split(turn.Text))
            {
                var terms = TextAnalyzer.Terms(sentence).Distinct(StringComparer.Ordinal).ToList();
                if (terms.Count < 3 || sentence.EndsWith('?'))
                {
                    order++;
                    continue;
                }

                // Centrality: how much of the episode's vocabulary the sentence carries, damped by its length.
                var score = terms.Sum(t => tf.GetValueOrDefault(t) > 1 ? 1.0 : 0.3) / Math.Sqrt(terms.Count);
                candidates.Add((order++, turn, sentence, score));
            }
        }

        if (candidates.Count == 0)
        {
            var first = turns[0];
            return (Truncate($"{first.Speaker}: {first.Text}"), [first.Id]);
        }

        var chosen = candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Order).Take(2).OrderBy(c => c.Order).ToList();
        return (Truncate(string.Join(" ", chosen.Select(c => $"{c.Turn.Speaker}: {c.Sentence}"))),
            chosen.Select(c => c.Turn.Id).Distinct(StringComparer.Ordinal).ToList());
    }

    private static string Truncate(string s) => s.Length <= MaxSummaryLength ? s : s[..(MaxSummaryLength - 1)].TrimEnd() + "\u2026";
}
