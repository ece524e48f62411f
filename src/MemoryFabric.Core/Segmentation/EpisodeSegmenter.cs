using MemoryFabric.Conversation;
using MemoryFabric.Text;

namespace MemoryFabric.Segmentation;

/// <summary>
/// Cuts a session's turns into episodes at time gaps, topic shifts (the term similarity of the turns before and
/// after a gap drops, as in TextTiling) and surprises (a turn mostly made of terms and entities new to the session).
/// </summary>
public sealed class EpisodeSegmenter
{
    private readonly EpisodeSegmenterOptions _options;

    /// <summary>Creates a segmenter.</summary>
    /// <param name="options">Options; defaults when <see langword="null"/>.</param>
    public EpisodeSegmenter(EpisodeSegmenterOptions? options = null)
    {
        _options = options ?? new EpisodeSegmenterOptions();
    }

    /// <summary>Segments one session's turns.</summary>
    /// <param name="turns">The session's turns in conversation order.</param>
    /// <returns>The segments: each a run of turns with the reason it started.</returns>
    public IReadOnlyList<EpisodeSegment> Segment(IReadOnlyList<Turn> turns)
    {
        ArgumentNullException.ThrowIfNull(turns);
        var segments = new List<EpisodeSegment>();
        if (turns.Count == 0)
        {
            return segments;
        }

        var terms = turns.Select(t => TextAnalyzer.Terms(t.Text)).ToList();
        var participants = turns.Select(t => t.Speaker).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var seenTerms = new HashSet<string>(terms[0], StringComparer.Ordinal);
        var seenEntities = new HashSet<string>(EntityExtractor.Extract(turns[0].Text, participants), StringComparer.OrdinalIgnoreCase);

        var start = 0;
        var reason = "session-start";
        for (var i = 1; i < turns.Count; i++)
        {
            var length = i - start;
            string? cut = null;
            if (turns[i].Timestamp - turns[i - 1].Timestamp > _options.MaxTimeGap)
            {
                cut = "time-gap";
            }
            else if (length >= _options.MaxTurns)
            {
                cut = "max-length";
            }
            else if (length >= _options.MinTurns && i + 1 < turns.Count)
            {
                var before = Frequencies(terms, Math.Max(start, i - _options.Window), i);
                var after = Frequencies(terms, i, Math.Min(turns.Count, i + _options.Window));
                var newEntities = EntityExtractor.Extract(turns[i].Text, participants).Count(e => !seenEntities.Contains(e));
                if (Cosine(before, after) < _options.TopicShiftThreshold)
                {
                    cut = "topic-shift";
                }
                else if (newEntities > 0 && NewShare(terms[i], seenTerms) >= _options.SurpriseThreshold)
                {
                    cut = "surprise";
                }
            }

            if (cut is not null)
            {
                segments.Add(new EpisodeSegment(Slice(turns, start, i), reason));
                start = i;
                reason = cut;
            }

            seenTerms.UnionWith(terms[i]);
            seenEntities.UnionWith(EntityExtractor.Extract(turns[i].Text, participants));
        }

        segments.Add(new EpisodeSegment(Slice(turns, start, turns.Count), reason));
        return segments;
    }

    private static List<Turn> Slice(IReadOnlyList<Turn> turns, int from, int to)
    {
        var list = new List<Turn>(to - from);
        for (var i = from; i < to; i++)
        {
            list.Add(turns[i]);
        }

        return list;
    }

    private static Dictionary<string, int> Frequencies(List<List<string>> terms, int from, int to)
    {
        var tf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = from; i < to; i++)
        {
            foreach (var t in terms[i])
            {
                tf[t] = tf.GetValueOrDefault(t) + 1;
            }
        }

        return tf;
    }

    private static double Cosine(Dictionary<string, int> a, Dictionary<string, int> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return 1.0; // no evidence of a shift
        }

        double dot = 0, na = 0, nb = 0;
        foreach (var (k, v) in a)
        {
            na += v * v;
            if (b.TryGetValue(k, out var w))
            {
                dot += v * w;
            }
        }

        foreach (var v in b.Values)
        {
            nb += v * v;
        }

        return dot / Math.Sqrt(na * nb);
    }

    private static double NewShare(List<string> terms, HashSet<string> seen)
    {
        var distinct = terms.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count < 3 ? 0 : (double)distinct.Count(t => !seen.Contains(t)) / distinct.Count;
    }
}

/// <summary>A run of turns that forms one episode.</summary>
/// <param name="Turns">The turns, in order.</param>
/// <param name="Reason">Why the episode started: "session-start", "time-gap", "topic-shift", "surprise" or "max-length".</param>
public sealed record EpisodeSegment(IReadOnlyList<Turn> Turns, string Reason);
