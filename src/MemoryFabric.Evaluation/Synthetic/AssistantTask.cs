namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>One thing a user asks an assistant for in a session: the request's opening and closing, filler that fits
/// the task, the assistant's long answer, and questions a user could later ask about that answer.</summary>
/// <param name="Topic">A short label (the dish, the city, the script's purpose).</param>
/// <param name="Opening">The request's first sentence.</param>
/// <param name="Closing">The request's last sentence.</param>
/// <param name="Filler">Sentences that fit the task, said around the point.</param>
/// <param name="Answer">The assistant's answer.</param>
/// <param name="Recall">Questions about the answer, each with its answer (stated in <paramref name="Answer"/>).</param>
/// <param name="FollowUp">A short follow-up request and the assistant's short reply, or <see langword="null"/>.</param>
internal sealed record AssistantTask(
    string Topic,
    string Opening,
    string Closing,
    IReadOnlyList<string> Filler,
    string Answer,
    IReadOnlyList<(string Question, string Answer)> Recall,
    (string Request, string Reply)? FollowUp);
