using MemoryFabric.Conversation;

namespace MemoryFabric.Api;

/// <summary>One session of an agent's conversation, as <c>GET /v1/agents/{agent}/sessions</c> lists it.</summary>
/// <param name="Id">The session id.</param>
/// <param name="Turns">How many turns it holds.</param>
/// <param name="Episodes">How many episodes were cut from it so far (consolidation cuts them).</param>
/// <param name="Start">Its first turn's timestamp.</param>
/// <param name="End">Its last turn's timestamp.</param>
public sealed record SessionInfo(string Id, int Turns, int Episodes, DateTimeOffset Start, DateTimeOffset End);

/// <summary>The answer of <c>GET /v1/agents/{agent}/sessions</c>: a page of sessions, oldest first.</summary>
/// <param name="Sessions">The sessions of this page.</param>
public sealed record SessionList(IReadOnlyList<SessionInfo> Sessions)
{
    /// <summary>Where the next page starts (pass it as <c>cursor</c>), or <see langword="null"/> on the last page.</summary>
    public string? NextCursor { get; init; }
}

/// <summary>The answer of <c>GET /v1/agents/{agent}/episodes</c>: a page of episodes, in conversation order.</summary>
/// <param name="Episodes">The episodes of this page.</param>
public sealed record EpisodeList(IReadOnlyList<Episode> Episodes)
{
    /// <summary>Where the next page starts (pass it as <c>cursor</c>), or <see langword="null"/> on the last page.</summary>
    public string? NextCursor { get; init; }
}

/// <summary>One interval of <see cref="AgentActivity"/>.</summary>
/// <param name="Start">The interval's start (inclusive).</param>
/// <param name="End">The interval's end (exclusive, except for the last interval).</param>
/// <param name="Turns">Turns whose timestamp falls in it.</param>
/// <param name="Notes">Active notes whose time (valid from, else written) falls in it.</param>
public sealed record ActivityBucket(DateTimeOffset Start, DateTimeOffset End, int Turns, int Notes);

/// <summary>The answer of <c>GET /v1/agents/{agent}/activity</c>: turns and notes over time, in equal intervals from
/// the earliest to the latest item (none when the agent holds nothing).</summary>
/// <param name="Buckets">The intervals, oldest first.</param>
public sealed record AgentActivity(IReadOnlyList<ActivityBucket> Buckets);

/// <summary>Paging limits of the timeline listings (turns, episodes, sessions).</summary>
public static class TimelinePaging
{
    /// <summary>The most items one page holds.</summary>
    public const int MaxLimit = 1000;

    /// <summary>The page size of the episode and session listings when no <c>limit</c> is given (the turn listing
    /// returns every turn without one, as it always did).</summary>
    public const int DefaultLimit = 100;

    /// <summary>The most intervals <c>GET /activity</c> returns.</summary>
    public const int MaxBuckets = 500;

    /// <summary>The intervals <c>GET /activity</c> returns when none are asked for.</summary>
    public const int DefaultBuckets = 60;
}
