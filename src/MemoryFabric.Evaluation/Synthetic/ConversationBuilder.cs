using MemoryFabric.Evaluation.Datasets;

namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>Collects the sessions, turns and questions of one generated conversation. Turn ids are
/// <c>s{session}:{turn}</c> (1-based), question ids <c>{conversation}_q{n}</c>.</summary>
internal sealed class ConversationBuilder(string id)
{
    private readonly List<DatasetSession> _sessions = [];
    private readonly List<DatasetQuestion> _questions = [];
    private List<DatasetTurn>? _turns;
    private string _sessionId = string.Empty;

    /// <summary>The conversation id.</summary>
    public string Id { get; } = id;

    /// <summary>The date of the current session.</summary>
    public DateTimeOffset SessionDate { get; private set; }

    /// <summary>The 1-based number of the current session (0 before the first).</summary>
    public int SessionNumber => _sessions.Count;

    /// <summary>Every turn so far, by id.</summary>
    public Dictionary<string, (DatasetTurn Turn, DateTimeOffset SessionDate)> Turns { get; } = new(StringComparer.Ordinal);

    /// <summary>The date of the last session started.</summary>
    public DateTimeOffset LastSessionDate => SessionDate;

    /// <summary>Starts a session.</summary>
    public void StartSession(DateTimeOffset date)
    {
        _turns = [];
        _sessionId = $"s{_sessions.Count + 1}";
        SessionDate = date;
        _sessions.Add(new DatasetSession(_sessionId, date, _turns));
    }

    /// <summary>Adds a turn to the current session.</summary>
    /// <param name="speaker">Who speaks.</param>
    /// <param name="text">What is said.</param>
    /// <param name="role">The assistant's turns are <see cref="Conversation.TurnRole.Assistant"/>; a person's, the default.</param>
    /// <returns>The turn id.</returns>
    public string Say(string speaker, string text, Conversation.TurnRole role = Conversation.TurnRole.User)
    {
        if (_turns is null)
        {
            throw new InvalidOperationException("Start a session first.");
        }

        var turnId = $"{_sessionId}:{_turns.Count + 1}";
        var turn = new DatasetTurn(turnId, speaker, text.Trim(), role);
        _turns.Add(turn);
        Turns[turnId] = (turn, SessionDate);
        return turnId;
    }

    /// <summary>Adds a question.</summary>
    public void Ask(string category, string question, DateTimeOffset date, IReadOnlyList<string> answers, IReadOnlyList<string> evidence, IReadOnlyList<string> evidenceText)
    {
        foreach (var turnId in evidence)
        {
            if (!Turns.ContainsKey(turnId))
            {
                throw new InvalidOperationException($"Evidence turn {turnId} does not exist.");
            }
        }

        _questions.Add(new DatasetQuestion($"{Id}_q{_questions.Count + 1}", question, date, answers, evidence.Distinct().ToList(), evidenceText, category));
    }

    /// <summary>The conversation.</summary>
    public DatasetConversation Build() => new(Id, _sessions.ToList(), _questions.ToList());
}
