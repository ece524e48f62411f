namespace MemoryFabric.Evaluation.Datasets;

/// <summary>One conversation: its sessions (sittings) and the questions asked about it.</summary>
/// <param name="Id">The conversation id (LoCoMo's <c>sample_id</c>).</param>
/// <param name="Sessions">The sessions, in conversation order.</param>
/// <param name="Questions">The questions, in file order.</param>
public sealed record DatasetConversation(string Id, IReadOnlyList<DatasetSession> Sessions, IReadOnlyList<DatasetQuestion> Questions)
{
    /// <summary>The number of turns over all sessions.</summary>
    public int TurnCount => Sessions.Sum(s => s.Turns.Count);

    /// <summary>
    /// The default time a question is asked when it has no date: one minute after the last turn (turn <c>i</c> of a
    /// session is stamped <c>session date + i seconds</c>, see <see cref="TurnTimestamp"/>).
    /// </summary>
    public DateTimeOffset DefaultQueryTime
    {
        get
        {
            var last = DateTimeOffset.MinValue;
            foreach (var session in Sessions)
            {
                var end = TurnTimestamp(session, Math.Max(0, session.Turns.Count - 1));
                if (end > last)
                {
                    last = end;
                }
            }

            return last == DateTimeOffset.MinValue ? DateTimeOffset.UnixEpoch : last.AddMinutes(1);
        }
    }

    /// <summary>The timestamp given to a turn: its session's date plus its index in seconds, so that turns of a
    /// session keep their order when only the session has a date.</summary>
    /// <param name="session">The session.</param>
    /// <param name="index">The turn's 0-based index in the session.</param>
    /// <returns>The timestamp.</returns>
    public static DateTimeOffset TurnTimestamp(DatasetSession session, int index)
    {
        ArgumentNullException.ThrowIfNull(session);
        return session.Date.AddSeconds(index);
    }

    /// <summary>The turn at <paramref name="index"/> of a session as the engine's input: its id, the session, the
    /// speaker, its role (the assistant's turns as <see cref="Conversation.TurnRole.Assistant"/>, every other as
    /// <see cref="Conversation.TurnRole.User"/>), its text and <see cref="TurnTimestamp"/>.</summary>
    /// <param name="session">The session.</param>
    /// <param name="index">The turn's 0-based index in the session.</param>
    /// <returns>The input.</returns>
    public static Conversation.TurnInput ToTurnInput(DatasetSession session, int index)
    {
        ArgumentNullException.ThrowIfNull(session);
        var turn = session.Turns[index];
        return new Conversation.TurnInput
        {
            Id = turn.Id,
            SessionId = session.Id,
            Speaker = turn.Speaker,
            Role = turn.Role,
            Text = turn.Text,
            Timestamp = TurnTimestamp(session, index),
        };
    }
}
