using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Client.Tests;

public sealed class ChatClientBuilderTests
{
    private static StubHandler MemoryServer() => new(r =>
        r.RawPath.EndsWith("/context", StringComparison.Ordinal)
            ? StubHandler.Json(new JsonObject { ["text"] = "- Melanie loves pottery.", ["items"] = new JsonArray(), ["tokens"] = 6, ["mode"] = "retrieved" }.ToJsonString())
            : r.RawPath.EndsWith("/turns", StringComparison.Ordinal)
                ? StubHandler.Json("""{"storedTurnIds":[],"duplicateTurnIds":[]}""")
                : StubHandler.Problem(HttpStatusCode.NotFound, "Not Found"));

    [Fact]
    public async Task UseMemoryFabric_on_a_builder_adds_the_context_and_records_the_exchange()
    {
        var memory = MemoryServer();
        var inner = new FakeChatClient();

        using var chat = inner.AsBuilder()
            .UseMemoryFabric(TestClients.Create(memory), o => o.AgentName = "caroline")
            .Build();
        var response = await chat.GetResponseAsync("What does Melanie like?");

        Assert.Equal("Pottery, mostly.", response.Text);
        Assert.IsType<MemoryFabricChatClient>(chat);
        var sent = Assert.Single(inner.Calls);
        Assert.Equal(ChatRole.System, sent[0].Role);
        Assert.Contains("Melanie loves pottery.", sent[0].Text, StringComparison.Ordinal);
        var turns = Assert.Single(memory.Requests, r => r.RawPath.EndsWith("/turns", StringComparison.Ordinal)).Json["turns"]!.AsArray();
        Assert.Equal(["user", "assistant"], turns.Select(t => t!["role"]!.GetValue<string>()));
    }

    [Fact]
    public async Task UseMemoryFabric_without_a_client_resolves_it_from_the_services()
    {
        var memory = MemoryServer();
        var services = new ServiceCollection()
            .AddSingleton<IMemoryFabricClient>(TestClients.Create(memory))
            .BuildServiceProvider();
        var inner = new FakeChatClient();

        using var chat = inner.AsBuilder()
            .UseMemoryFabric(configure: o => o.AgentName = "caroline")
            .Build(services);
        await chat.GetResponseAsync("What does Melanie like?");

        Assert.Same(services.GetRequiredService<IMemoryFabricClient>(), chat.GetService<IMemoryFabricClient>());
        Assert.Contains(memory.Requests, r => r.RawPath.EndsWith("/agents/caroline/context", StringComparison.Ordinal));
    }

    [Fact]
    public void UseMemoryFabric_without_a_client_or_a_registration_fails_at_build_time_naming_it()
    {
        var builder = new FakeChatClient().AsBuilder().UseMemoryFabric(configure: o => o.AgentName = "caroline");

        var error = Assert.Throws<InvalidOperationException>(() => builder.Build(new ServiceCollection().BuildServiceProvider()));

        Assert.Contains(nameof(IMemoryFabricClient), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseMemoryFabric_on_a_builder_without_an_agent_fails_at_build_time()
    {
        var builder = new FakeChatClient().AsBuilder().UseMemoryFabric(TestClients.Create(MemoryServer()));

        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public async Task AddChatClient_with_UseMemoryFabric_composes_in_dependency_injection()
    {
        var memory = MemoryServer();
        var services = new ServiceCollection();
        services.AddSingleton<IMemoryFabricClient>(TestClients.Create(memory));
        services.AddChatClient(new FakeChatClient()).UseMemoryFabric(configure: o => o.AgentName = "bob");
        using var provider = services.BuildServiceProvider();

        var chat = provider.GetRequiredService<IChatClient>();
        await chat.GetResponseAsync("hello");

        Assert.IsType<MemoryFabricChatClient>(chat);
        Assert.Contains(memory.Requests, r => r.RawPath.EndsWith("/agents/bob/turns", StringComparison.Ordinal));
    }
}
