using System.Text.Json;
using MemoryFabric.Evaluation;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab eval --details</c>: one JSON object per line for each question and strategy.</summary>
internal sealed class QuestionDetailsFile : IDisposable
{
    private readonly StreamWriter _writer;

    /// <summary>Creates (or replaces) the file.</summary>
    /// <param name="path">The file.</param>
    public QuestionDetailsFile(string path) => _writer = new StreamWriter(path, append: false);

    /// <summary>Writes one question's line.</summary>
    /// <param name="detail">The question's details.</param>
    public void Write(QuestionDetail detail)
    {
        var r = detail.Result;
        var line = new Dictionary<string, object?>
        {
            ["strategy"] = detail.Strategy,
            ["conversation"] = r.ConversationId,
            ["question_id"] = r.QuestionId,
            ["category"] = r.Category,
            ["question"] = detail.Question.Question,
            ["answers"] = detail.Question.Answers,
            ["evidence"] = detail.Question.Evidence,
            ["evidence_recall"] = r.EvidenceRecall,
            ["answer_coverage"] = r.AnswerCoverage,
            ["missed_evidence"] = detail.MissedEvidence,
            ["context_tokens"] = r.ContextTokens,
            ["context_items"] = detail.Context.Items.Select(i => new { kind = i.Kind.ToString().ToLowerInvariant(), id = i.Id, turn_ids = i.TurnIds }),
            ["context"] = detail.Context.Text,
        };
        _writer.WriteLine(JsonSerializer.Serialize(line));
    }

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
