using MemoryFabric.Api;
using MemoryFabric.Conversation;

namespace MemoryFabric;

// The timeline's reads: turns, episodes and sessions a page at a time, one turn by id, and activity over time. A page
// cursor is the id of the page's first item (a turn, episode or session id), so a caller can also start a listing at
// an item it knows.
public sealed partial class AgentMemory
{
    /// <summary>Lists turns in conversation order, a page at a time.</summary>
    /// <param name="sessionId">Only this session's turns (none when it does not exist), or all.</param>
    /// <param name="episodeId">Only this episode's turns, or all.</param>
    /// <param name="cursor">The previous page's <see cref="TurnList.NextCursor"/> or a turn id to start at, or
    /// <see langword="null"/> for the start.</param>
    /// <param name="limit">At most this many turns (1 to <see cref="TimelinePaging.MaxLimit"/>), or
    /// <see langword="null"/> for all from the cursor on.</param>
    /// <returns>The page and where the next one starts.</returns>
    /// <exception cref="MemoryInputException">The limit is out of range or the cursor is not a turn of the listing.</exception>
    /// <exception cref="MemoryItemNotFoundException">There is no episode <paramref name="episodeId"/>.</exception>
    public TurnList GetTurnPage(string? sessionId, string? episodeId, string? cursor, int? limit)
    {
        CheckLimit(limit);
        IReadOnlyList<Turn> turns;
        if (episodeId is not null)
        {
            if (!_episodes.TryGetValue(episodeId, out var episode))
            {
                throw new MemoryItemNotFoundException($"No episode '{Clip(episodeId)}'.");
            }

            turns = episode.TurnIds.Where(_turns.ContainsKey).Select(id => _turns[id])
                .Where(t => sessionId is null || t.SessionId == sessionId).ToList();
        }
        else if (sessionId is not null)
        {
            turns = _sessions.TryGetValue(sessionId, out var list) ? list : [];
        }
        else
        {
            turns = OrderedTurns().ToList();
        }

        var (page, next) = Slice(turns, t => t.Id, cursor, limit, "a turn");
        return new TurnList(page) { NextCursor = next };
    }

    /// <summary>Gets one turn.</summary>
    /// <param name="turnId">The turn id.</param>
    /// <returns>The turn, or <see langword="null"/> when there is none.</returns>
    public Turn? GetTurn(string turnId) => _turns.GetValueOrDefault(turnId);

    /// <summary>Lists episodes in conversation order, a page at a time.</summary>
    /// <param name="sessionId">Only this session's episodes, or all.</param>
    /// <param name="turnId">Only the episode holding this turn (none when consolidation has not cut it into one yet).</param>
    /// <param name="cursor">The previous page's <see cref="EpisodeList.NextCursor"/> or an episode id to start at.</param>
    /// <param name="limit">At most this many (1 to <see cref="TimelinePaging.MaxLimit"/>), or <see langword="null"/>
    /// for <see cref="TimelinePaging.DefaultLimit"/>.</param>
    /// <returns>The page and where the next one starts.</returns>
    /// <exception cref="MemoryInputException">The limit is out of range or the cursor is not an episode of the listing.</exception>
    /// <exception cref="MemoryItemNotFoundException">There is no turn <paramref name="turnId"/>.</exception>
    public EpisodeList GetEpisodePage(string? sessionId, string? turnId, string? cursor, int? limit)
    {
        CheckLimit(limit);
        IEnumerable<Episode> episodes;
        if (turnId is not null)
        {
            if (!_turns.ContainsKey(turnId))
            {
                throw new MemoryItemNotFoundException($"No turn '{Clip(turnId)}'.");
            }

            episodes = _turnEpisode.TryGetValue(turnId, out var id) && _episodes.TryGetValue(id, out var episode) ? [episode] : [];
        }
        else if (sessionId is not null)
        {
            episodes = _sessionEpisodes.TryGetValue(sessionId, out var ids) ? ids.Where(_episodes.ContainsKey).Select(i => _episodes[i]) : [];
        }
        else
        {
            episodes = _episodes.Values;
        }

        if (sessionId is not null)
        {
            episodes = episodes.Where(e => e.SessionId == sessionId);
        }

        var ordered = episodes.OrderBy(e => e.Start).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
        var (page, next) = Slice(ordered, e => e.Id, cursor, limit ?? TimelinePaging.DefaultLimit, "an episode");
        return new EpisodeList(page) { NextCursor = next };
    }

    /// <summary>Lists sessions, oldest first (by their first turn), a page at a time.</summary>
    /// <param name="cursor">The previous page's <see cref="SessionList.NextCursor"/> or a session id to start at.</param>
    /// <param name="limit">At most this many (1 to <see cref="TimelinePaging.MaxLimit"/>), or <see langword="null"/>
    /// for <see cref="TimelinePaging.DefaultLimit"/>.</param>
    /// <returns>The page and where the next one starts.</returns>
    /// <exception cref="MemoryInputException">The limit is out of range or the cursor is not a session of the listing.</exception>
    public SessionList GetSessionPage(string? cursor, int? limit)
    {
        CheckLimit(limit);
        var sessions = _sessions
            .Select(s => new SessionInfo(s.Key, s.Value.Count, _sessionEpisodes.TryGetValue(s.Key, out var e) ? e.Count : 0, s.Value[0].Timestamp, s.Value[^1].Timestamp))
            .OrderBy(s => s.Start).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
        var (page, next) = Slice(sessions, s => s.Id, cursor, limit ?? TimelinePaging.DefaultLimit, "a session");
        return new SessionList(page) { NextCursor = next };
    }

    /// <summary>Counts turns (by timestamp) and active notes (by valid-from, else written) in equal intervals from the
    /// earliest to the latest of them.</summary>
    /// <param name="buckets">How many intervals (1 to <see cref="TimelinePaging.MaxBuckets"/>); one when every item has
    /// the same time.</param>
    /// <returns>The intervals, oldest first; none when the memory holds no turn and no note.</returns>
    /// <exception cref="MemoryInputException">The number of intervals is out of range.</exception>
    public AgentActivity GetActivity(int buckets)
    {
        if (buckets is < 1 or > TimelinePaging.MaxBuckets)
        {
            throw new MemoryInputException($"'buckets' is 1 to {TimelinePaging.MaxBuckets}; {buckets} was given.", nameof(buckets));
        }

        var turnTimes = _turns.Values.Select(t => t.Timestamp.UtcTicks).ToList();
        var noteTimes = _notes.Active.Select(n => (n.ValidFrom ?? n.CreatedAt).UtcTicks).ToList();
        if (turnTimes.Count == 0 && noteTimes.Count == 0)
        {
            return new AgentActivity([]);
        }

        var min = Math.Min(turnTimes.DefaultIfEmpty(long.MaxValue).Min(), noteTimes.DefaultIfEmpty(long.MaxValue).Min());
        var max = Math.Max(turnTimes.DefaultIfEmpty(long.MinValue).Max(), noteTimes.DefaultIfEmpty(long.MinValue).Max());
        var count = max == min ? 1 : buckets;
        var width = Math.Max(1, (long)Math.Ceiling((max - min) / (double)count));
        var turns = new int[count];
        var notes = new int[count];
        foreach (var t in turnTimes)
        {
            turns[Math.Min(count - 1, (int)((t - min) / width))]++;
        }

        foreach (var t in noteTimes)
        {
            notes[Math.Min(count - 1, (int)((t - min) / width))]++;
        }

        var result = new List<ActivityBucket>(count);
        for (var i = 0; i < count; i++)
        {
            var start = new DateTimeOffset(min + (i * width), TimeSpan.Zero);
            var end = i == count - 1 ? new DateTimeOffset(max, TimeSpan.Zero) : start.AddTicks(width);
            result.Add(new ActivityBucket(start, end, turns[i], notes[i]));
        }

        return new AgentActivity(result);
    }

    private static void CheckLimit(int? limit)
    {
        if (limit is < 1 or > TimelinePaging.MaxLimit)
        {
            throw new MemoryInputException($"'limit' is 1 to {TimelinePaging.MaxLimit}; {limit} was given.", nameof(limit));
        }
    }

    // The page from the item whose id is the cursor (the start without one), and the id of the item after it.
    private static (List<T> Page, string? Next) Slice<T>(IReadOnlyList<T> items, Func<T, string> id, string? cursor, int? limit, string what)
    {
        var start = 0;
        if (cursor is not null)
        {
            start = -1;
            for (var i = 0; i < items.Count; i++)
            {
                if (string.Equals(id(items[i]), cursor, StringComparison.Ordinal))
                {
                    start = i;
                    break;
                }
            }

            if (start < 0)
            {
                throw new MemoryInputException($"The cursor '{Clip(cursor)}' is not {what} of this listing: pass the nextCursor of the previous page.", nameof(cursor));
            }
        }

        var count = Math.Min(limit ?? int.MaxValue, items.Count - start);
        var page = new List<T>(count);
        for (var i = start; i < start + count; i++)
        {
            page.Add(items[i]);
        }

        return (page, start + count < items.Count ? id(items[start + count]) : null);
    }

    private static string Clip(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
