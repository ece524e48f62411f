using MemoryFabric.Conversation;
using MemoryFabric.Text;

namespace MemoryFabric.Retrieval;

/// <summary>
/// Messages that keep a conversation going but state nothing: "lol", "nooo", "omg congrats", "what's up". In a chat
/// they are about half the turns, match any query a little (a vector of a two-word message is close to many; a turn is
/// indexed with its speaker's name, so every message of a person the query names shares a term with it), and fill the
/// budget. A message is phatic when it is short and every word in it is common in this memory's own history (or it
/// has no content word at all): the measure is the history's, not a word list, so it holds for any language or slang.
/// A short message with one rare word ("Nairobi babby", "at Foxglove Health") is not phatic.
/// </summary>
public static class PhaticMessages
{
    /// <summary>Whether a turn is phatic.</summary>
    /// <param name="turn">The turn.</param>
    /// <param name="documentFrequency">How many turns of the history contain a search term.</param>
    /// <param name="turns">How many turns the history holds.</param>
    /// <param name="options">The thresholds.</param>
    /// <returns>Whether it is.</returns>
    public static bool IsPhatic(Turn turn, Func<string, int> documentFrequency, int turns, PhaticMessageOptions options)
    {
        ArgumentNullException.ThrowIfNull(turn);
        ArgumentNullException.ThrowIfNull(documentFrequency);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Factor >= 1 || turns < options.MinTurns || ContextTokens.Count(turn.Text) > options.MaxTokens)
        {
            return false;
        }

        var common = Math.Max(options.MinCommonCount, (int)Math.Ceiling(options.CommonShare * turns));
        foreach (var term in TextAnalyzer.Terms(turn.Text))
        {
            if (documentFrequency(term) < common)
            {
                return false; // a word this history rarely uses: it says something
            }
        }

        return true;
    }
}

/// <summary>Options of <see cref="PhaticMessages"/>.</summary>
public sealed class PhaticMessageOptions
{
    /// <summary>A phatic message keeps this share of its score (default 0.25): it is packed only when the budget has
    /// room after the messages that say something. 1 turns the check off.</summary>
    public double Factor { get; set; } = 0.25;

    /// <summary>Only a message of at most this many tokens can be phatic (default 12).</summary>
    public int MaxTokens { get; set; } = 12;

    /// <summary>A word is common when at least this share of the history's turns contain it (default 0.01) …</summary>
    public double CommonShare { get; set; } = 0.01;

    /// <summary>… and at least this many (default 5).</summary>
    public int MinCommonCount { get; set; } = 5;

    /// <summary>A history shorter than this many turns has no phatic messages (default 200): too little to tell what is
    /// common in it.</summary>
    public int MinTurns { get; set; } = 200;
}
