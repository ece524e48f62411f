using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Evaluation.Strategies;

/// <summary>
/// A way of building context for questions about one conversation: MemoryFabric itself or a baseline. The runner
/// creates one instance per conversation (see <see cref="StrategyDefinition"/>), ingests the conversation once and
/// then asks every question. An instance that is <see cref="IAsyncDisposable"/> or <see cref="IDisposable"/> is
/// disposed after its conversation.
/// </summary>
public interface IContextStrategy
{
    /// <summary>Ingests the whole conversation.</summary>
    /// <param name="conversation">The conversation.</param>
    /// <param name="cancellationToken">Cancels the ingest.</param>
    /// <returns>A task that completes when the conversation is ingested.</returns>
    Task IngestAsync(DatasetConversation conversation, CancellationToken cancellationToken);

    /// <summary>Builds the context for a question.</summary>
    /// <param name="question">The question text.</param>
    /// <param name="queryTime">When the question is asked.</param>
    /// <param name="tokenBudget">The token budget of the rendered context.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The context; its items' <see cref="ContextItem.TurnIds"/> say which turns it covers.</returns>
    Task<MemoryContext> GetContextAsync(string question, DateTimeOffset queryTime, int tokenBudget, CancellationToken cancellationToken);
}
