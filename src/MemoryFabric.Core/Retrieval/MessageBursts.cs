using MemoryFabric.Conversation;
using MemoryFabric.Text;

namespace MemoryFabric.Retrieval;

/// <summary>
/// Short messages read together. In a chat, one thing is often said over a few short messages in a row ("the lab
/// technician one!!", then "it's with Jetty Farms"), or asked and answered in two ("where??" / "Trieste"); a query
/// matches one of them and the answer sits in the next. A short turn's neighbours in its session, as long as every turn
/// from it to them is short, are candidates beside it, at a share of its score, so they are packed with it when the
/// budget allows; a note brings those of the turns it was drawn from. Long turns neither bring nor are brought: each
/// says enough on its own (LoCoMo's turns and the assistant sessions' requests are mostly past the threshold).
/// </summary>
public static class MessageBursts
{
    /// <summary>The neighbours a short turn brings: the turns at most <see cref="MessageBurstOptions.Reach"/> places
    /// before and after it in its session, each reached through short turns only.</summary>
    /// <param name="session">The session's turns, in order.</param>
    /// <param name="index">The turn's place in it.</param>
    /// <param name="options">What counts as short, and how far to reach.</param>
    /// <param name="include">Whether a turn may be brought (not quarantined).</param>
    /// <returns>The neighbours with their distance (1 for the next place), nearest first; none when the turn itself is
    /// not short.</returns>
    public static IReadOnlyList<(Turn Turn, int Distance)> Neighbours(IReadOnlyList<Turn> session, int index, MessageBurstOptions options, Func<Turn, bool> include)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(include);
        if (options.Reach <= 0 || index < 0 || index >= session.Count || !IsShort(session[index], options))
        {
            return [];
        }

        // How far each side reaches: up to Reach places, through short turns only (each measured once).
        var first = index;
        while (first > 0 && index - first < options.Reach && IsShort(session[first - 1], options))
        {
            first--;
        }

        var last = index;
        while (last < session.Count - 1 && last - index < options.Reach && IsShort(session[last + 1], options))
        {
            last++;
        }

        var result = new List<(Turn, int)>(last - first);
        for (var distance = 1; distance <= options.Reach; distance++)
        {
            if (index - distance >= first && include(session[index - distance]))
            {
                result.Add((session[index - distance], distance));
            }

            if (index + distance <= last && include(session[index + distance]))
            {
                result.Add((session[index + distance], distance));
            }
        }

        return result;
    }

    /// <summary>Whether a turn is short enough to be read with its neighbours.</summary>
    /// <param name="turn">The turn.</param>
    /// <param name="options">The threshold.</param>
    /// <returns>Whether it is.</returns>
    public static bool IsShort(Turn turn, MessageBurstOptions options)
    {
        ArgumentNullException.ThrowIfNull(turn);
        ArgumentNullException.ThrowIfNull(options);
        return ContextTokens.Count(turn.Text) <= options.ShortTurnTokens;
    }
}

/// <summary>Options of <see cref="MessageBursts"/>.</summary>
public sealed class MessageBurstOptions
{
    /// <summary>A turn of at most this many tokens is short (default 20: a chat message, not a paragraph).</summary>
    public int ShortTurnTokens { get; set; } = 20;

    /// <summary>How many places before and after a short turn its neighbours are taken from (default 2); 0 turns it
    /// off.</summary>
    public int Reach { get; set; } = 2;

    /// <summary>The share of its score a short turn gives each neighbour it brings (default 0.6), halved again with
    /// each further place: below the turn itself, so neighbours fill the budget after the best matches, not before.</summary>
    public double Share { get; set; } = 0.6;

    /// <summary>How many of the best-ranked candidates bring neighbours (default 8): a turn its own, a note those of
    /// the turns it was drawn from. More anchors crowd a small budget with neighbours of weaker matches (30 turns at a
    /// share of 0.8 lowered evidence recall on both chat yardsticks).</summary>
    public int Anchors { get; set; } = 8;
}
