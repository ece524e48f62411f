using MemoryFabric.Conversation;
using MemoryFabric.Evaluation.Datasets;
using MemoryFabric.Retrieval;

namespace MemoryFabric.Evaluation.Strategies;

/// <summary>
/// Strategy <c>fabric</c>: MemoryFabric itself, through <see cref="IAgentMemory"/>. Ingest sends every turn as a
/// <see cref="TurnInput"/> (one <see cref="IAgentMemory.IngestAsync"/> call per session, at most
/// <see cref="MaxBatch"/> turns each; <c>Id</c> = the dataset's turn id, <c>SessionId</c> = the session id,
/// <c>Role</c> = the turn's (Assistant for the assistant's turns, else User), <c>Timestamp</c> = session date + index seconds), then calls
/// <see cref="IAgentMemory.ConsolidateAsync"/> once. Context comes from <see cref="IAgentMemory.GetContextAsync"/>
/// with the question, the budget and the query time.
/// </summary>
public sealed class FabricStrategy : IContextStrategy, IAsyncDisposable
{
    /// <summary>The most turns sent in one ingest call.</summary>
    public const int MaxBatch = 1000;

    private readonly IAgentMemory _memory;

    /// <summary>Creates the strategy with a fresh memory.</summary>
    /// <param name="memoryFactory">Creates the memory under test.</param>
    public FabricStrategy(Func<IAgentMemory> memoryFactory)
    {
        ArgumentNullException.ThrowIfNull(memoryFactory);
        _memory = memoryFactory() ?? throw new InvalidOperationException("The memory factory returned null.");
    }

    /// <inheritdoc />
    public async Task IngestAsync(DatasetConversation conversation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        foreach (var session in conversation.Sessions)
        {
            var inputs = new List<TurnInput>(session.Turns.Count);
            for (var i = 0; i < session.Turns.Count; i++)
            {
                inputs.Add(DatasetConversation.ToTurnInput(session, i));
            }

            foreach (var chunk in inputs.Chunk(MaxBatch))
            {
                await _memory.IngestAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
        }

        await _memory.ConsolidateAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<MemoryContext> GetContextAsync(string question, DateTimeOffset queryTime, int tokenBudget, CancellationToken cancellationToken) =>
        _memory.GetContextAsync(new ContextRequest { Query = question, TokenBudget = tokenBudget, QueryTime = queryTime }, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Disposal.DisposeAsync(_memory);
}
