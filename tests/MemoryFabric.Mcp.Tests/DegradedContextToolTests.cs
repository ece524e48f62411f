using System.Reflection;
using MemoryFabric.Client;
using MemoryFabric.Mcp.Access;
using MemoryFabric.Mcp.Tests.Support;
using MemoryFabric.Mcp.Tools;
using MemoryFabric.Retrieval;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Mcp.Tests;

/// <summary>get_context says when the fabric answered on word matches alone because its encoder was busy, as the HTTP
/// API's context does, so an agent can tell a thin context from an empty memory.</summary>
[Collection(McpServerGroup.Name)]
public sealed class DegradedContextToolTests(McpTestServer server)
{
    [Theory]
    [InlineData(null)]
    [InlineData("embedding-deadline")]
    public async Task Get_context_carries_the_fabrics_degraded_flag_and_reason(string? reason)
    {
        var key = await server.KeyAsync("degraded-" + (reason ?? "none"));
        var api = server.Api(key);
        await api.IngestAsync("dora", [new Conversation.TurnInput { Id = "t1", SessionId = "s", Speaker = "Dora", Text = "I keep bees on the roof of our flat.", Timestamp = DateTimeOffset.UtcNow }]);
        var tools = new MemoryTools(new FixedMemoryFabricMcpAccess(new MemoryFabricMcpCaller(DegradingClient.Create(api, reason))), Options.Create(new MemoryFabricMcpOptions()), TimeProvider.System);

        var context = await tools.GetContextAsync("bees on the roof", "dora");

        Assert.Contains("bees", context.Text, StringComparison.Ordinal);
        Assert.Equal((reason is not null, reason), (context.Degraded, context.DegradedReason));
    }

    /// <summary>Forwards every call; marks the context the fabric built as degraded for the given reason (the fabric
    /// degrades only under encoder load, which a test cannot make deterministic).</summary>
    public class DegradingClient : DispatchProxy
    {
        private IMemoryFabricClient _inner = null!;
        private string? _reason;

        public static IMemoryFabricClient Create(IMemoryFabricClient inner, string? reason)
        {
            var proxy = Create<IMemoryFabricClient, DegradingClient>();
            var degrading = (DegradingClient)(object)proxy;
            degrading._inner = inner;
            degrading._reason = reason;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            var result = targetMethod.Invoke(_inner, args);
            return targetMethod.Name == nameof(IMemoryFabricClient.GetContextAsync) && _reason is not null
                ? DegradeAsync((Task<MemoryContext>)result!, _reason)
                : result;
        }

        private static async Task<MemoryContext> DegradeAsync(Task<MemoryContext> context, string reason) =>
            await context with { Degraded = true, DegradedReason = reason };
    }
}
