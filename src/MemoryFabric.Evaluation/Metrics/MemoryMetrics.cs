using MemoryFabric.Retrieval;
using MemoryFabric.Text;

namespace MemoryFabric.Evaluation.Metrics;

/// <summary>
/// The memory-quality measures of one returned context (see docs/architecture.md, "Measuring"). Pure functions.
/// Words are compared the way the rest of MemoryFabric compares them: <see cref="TextAnalyzer.ContentWords"/>
/// (lower-case, punctuation and accents stripped, English stopwords removed, unstemmed).
/// </summary>
public static class MemoryMetrics
{
    /// <summary>The turns a context covers: the union of its items' <see cref="ContextItem.TurnIds"/> (an item covers
    /// the turns it was derived from, and only those).</summary>
    /// <param name="items">The context's items.</param>
    /// <returns>The covered turn ids.</returns>
    public static HashSet<string> CoveredTurnIds(IEnumerable<ContextItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            foreach (var id in item.TurnIds)
            {
                covered.Add(id.Trim());
            }
        }

        return covered;
    }

    /// <summary>Evidence recall: the share of the gold evidence turns that the context covers.</summary>
    /// <param name="goldEvidence">The gold ids, already read by <see cref="EvidenceIds.Parse"/>.</param>
    /// <param name="coveredTurnIds">The covered turn ids (<see cref="CoveredTurnIds"/>).</param>
    /// <returns>|gold ∩ covered| / |gold|, or <see langword="null"/> when there is no gold evidence (such a question
    /// is left out of the evidence-recall mean).</returns>
    public static double? EvidenceRecall(IReadOnlyCollection<string> goldEvidence, IReadOnlySet<string> coveredTurnIds)
    {
        ArgumentNullException.ThrowIfNull(goldEvidence);
        ArgumentNullException.ThrowIfNull(coveredTurnIds);
        var gold = new HashSet<string>(goldEvidence, StringComparer.Ordinal);
        if (gold.Count == 0)
        {
            return null;
        }

        var hits = gold.Count(coveredTurnIds.Contains);
        return (double)hits / gold.Count;
    }

    /// <summary>The set of words a context text offers for coverage (its content words).</summary>
    /// <param name="contextText">The rendered context.</param>
    /// <returns>The words.</returns>
    public static HashSet<string> ContextWords(string? contextText) =>
        new(TextAnalyzer.ContentWords(contextText), StringComparer.Ordinal);

    /// <summary>Coverage of one statement: the share of its distinct content words found among the context
    /// words.</summary>
    /// <param name="statement">The answer or statement.</param>
    /// <param name="contextWords">The context words (<see cref="ContextWords"/>).</param>
    /// <returns>The share, or <see langword="null"/> when the statement has no content words.</returns>
    public static double? StatementCoverage(string? statement, IReadOnlySet<string> contextWords)
    {
        ArgumentNullException.ThrowIfNull(contextWords);
        var words = new HashSet<string>(TextAnalyzer.ContentWords(statement), StringComparer.Ordinal);
        if (words.Count == 0)
        {
            return null;
        }

        var hits = words.Count(contextWords.Contains);
        return (double)hits / words.Count;
    }

    /// <summary>Answer coverage: the best <see cref="StatementCoverage"/> over the gold answers.</summary>
    /// <param name="answers">The gold answers (any of them is correct).</param>
    /// <param name="contextWords">The context words (<see cref="ContextWords"/>).</param>
    /// <returns>The maximum over the answers that have content words, or <see langword="null"/> when none has
    /// (the question is left out of the answer-coverage mean).</returns>
    public static double? AnswerCoverage(IEnumerable<string> answers, IReadOnlySet<string> contextWords)
    {
        ArgumentNullException.ThrowIfNull(answers);
        double? best = null;
        foreach (var answer in answers)
        {
            var coverage = StatementCoverage(answer, contextWords);
            if (coverage is { } c && (best is null || c > best))
            {
                best = c;
            }
        }

        return best;
    }

    /// <summary>Evidence-text coverage: the mean <see cref="StatementCoverage"/> over the evidence statements.</summary>
    /// <param name="statements">The evidence statements.</param>
    /// <param name="contextWords">The context words (<see cref="ContextWords"/>).</param>
    /// <returns>The mean over the statements that have content words, or <see langword="null"/> when there are
    /// none.</returns>
    public static double? EvidenceTextCoverage(IEnumerable<string> statements, IReadOnlySet<string> contextWords)
    {
        ArgumentNullException.ThrowIfNull(statements);
        var sum = 0.0;
        var count = 0;
        foreach (var statement in statements)
        {
            if (StatementCoverage(statement, contextWords) is { } c)
            {
                sum += c;
                count++;
            }
        }

        return count == 0 ? null : sum / count;
    }

    /// <summary>The size of a context in tokens, <see cref="ContextTokens.Count"/> of its text.</summary>
    /// <param name="contextText">The rendered context.</param>
    /// <returns>The tokens.</returns>
    public static int Tokens(string? contextText) => ContextTokens.Count(contextText);
}
