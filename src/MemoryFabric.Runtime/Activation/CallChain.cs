using System.Text;

namespace MemoryFabric.Runtime.Activation;

/// <summary>
/// The chain of actor turns the current code runs in (an <see cref="AsyncLocal{T}"/>): a call made from a turn carries
/// its caller's chain, so a call back into an actor whose turn is still waiting on it (itself, or any actor up the
/// chain) is detected instead of deadlocking.
/// </summary>
internal static class CallChain
{
    private static readonly AsyncLocal<CallChainNode?> CurrentNode = new();

    /// <summary>The innermost turn the current code runs in, or <see langword="null"/>.</summary>
    public static CallChainNode? Current
    {
        get => CurrentNode.Value;
        set => CurrentNode.Value = value;
    }

    /// <summary>Whether the current code runs in a turn that has not completed.</summary>
    /// <param name="chain">The chain.</param>
    /// <returns>Whether any node is running.</returns>
    public static bool IsInTurn(CallChainNode? chain)
    {
        for (var node = chain; node is not null; node = node.Parent)
        {
            if (!node.IsCompleted)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Throws when <paramref name="target"/> has a turn up the chain that is still running.</summary>
    /// <param name="chain">The caller's chain.</param>
    /// <param name="target">The actor called.</param>
    /// <exception cref="InvalidOperationException">The call would deadlock.</exception>
    public static void ThrowIfReentrant(CallChainNode? chain, ActorId target)
    {
        for (var node = chain; node is not null; node = node.Parent)
        {
            if (!node.IsCompleted && node.ActorId == target)
            {
                throw new InvalidOperationException(
                    $"Actor {target} was called from within its own turn (call chain: {Describe(chain, target)}). Actor calls are not " +
                    "reentrant: this call would wait for the turn that is waiting for it, a deadlock. Call the actor's method directly, " +
                    "or schedule the work with a timer or a reminder.");
            }
        }
    }

    private static string Describe(CallChainNode? chain, ActorId target)
    {
        var ids = new List<ActorId> { target };
        for (var node = chain; node is not null; node = node.Parent)
        {
            if (!node.IsCompleted)
            {
                ids.Add(node.ActorId);
            }
        }

        ids.Reverse();
        var builder = new StringBuilder();
        foreach (var id in ids)
        {
            if (builder.Length > 0)
            {
                builder.Append(" -> ");
            }

            builder.Append(id);
        }

        return builder.ToString();
    }
}
