using MemoryFabric.Evaluation.Datasets;

namespace MemoryFabric.Evaluation.Strategies;

/// <summary>A turn as the baselines hold it: its place in the conversation and its rendered line.</summary>
/// <param name="Order">The 0-based position in the conversation.</param>
/// <param name="Id">The turn id.</param>
/// <param name="Speaker">Who spoke.</param>
/// <param name="Text">The verbatim text.</param>
/// <param name="Timestamp">Session date + index seconds.</param>
/// <param name="Line">The rendered line (<see cref="TurnRenderer.Render"/>).</param>
internal sealed record BaselineTurn(int Order, string Id, string Speaker, string Text, DateTimeOffset Timestamp, string Line)
{
    /// <summary>The text that search indexes: the turn text, with the speaker's name first when asked.</summary>
    public string SearchText(TurnBaselineOptions options) => options.IndexSpeaker ? $"{Speaker}: {Text}" : Text;

    /// <summary>Flattens a conversation into baseline turns, in conversation order.</summary>
    public static List<BaselineTurn> From(DatasetConversation conversation, TurnBaselineOptions options)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var turns = new List<BaselineTurn>(conversation.TurnCount);
        foreach (var session in conversation.Sessions)
        {
            for (var i = 0; i < session.Turns.Count; i++)
            {
                var turn = session.Turns[i];
                turns.Add(new BaselineTurn(
                    turns.Count,
                    turn.Id,
                    turn.Speaker,
                    turn.Text,
                    DatasetConversation.TurnTimestamp(session, i),
                    TurnRenderer.Render(session.Date, turn.Speaker, turn.Text, options.IncludeDate)));
            }
        }

        return turns;
    }
}
