using System.Reflection;
using MemoryFabric.Orleans.TenantIndex;
using MemoryFabric.Orleans.Tests.Support;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Orleans.Tests;

public sealed class ShardTurnVectorIndexTests
{
    [Fact]
    public async Task A_search_the_shards_do_not_answer_is_logged_with_its_error_and_thrown_to_the_agent()
    {
        var logger = new ListLogger<ShardTurnVectorIndex>();
        var index = new ShardTurnVectorIndex(UnreachableGrains.Create(), "acme", "big", TimeProvider.System, efSearch: 16, logger);

        var thrown = await Assert.ThrowsAsync<TimeoutException>(() => index.SearchTurnsAsync([1f, 0f], 10, CancellationToken.None));

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Same(thrown, entry.Exception);
        Assert.Contains("acme", entry.Message, StringComparison.Ordinal);
        Assert.Contains("big", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_search_is_not_logged()
    {
        var logger = new ListLogger<ShardTurnVectorIndex>();
        var index = new ShardTurnVectorIndex(UnreachableGrains.Create(cancelled: true), "acme", "big", TimeProvider.System, efSearch: 16, logger);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => index.SearchTurnsAsync([1f, 0f], 10, cancelled.Token));

        Assert.Empty(logger.Entries);
    }

    // A grain factory whose every call fails as an unreachable cluster does (or as a cancelled call).
    public class UnreachableGrains : DispatchProxy
    {
        private bool _cancelled;

        public static IGrainFactory Create(bool cancelled = false)
        {
            var proxy = Create<IGrainFactory, UnreachableGrains>();
            ((UnreachableGrains)(object)proxy)._cancelled = cancelled;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw (_cancelled ? new OperationCanceledException() : new TimeoutException("the cluster did not answer"));
    }
}
