using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Serialization;
using MemoryFabric.Server.Tests.Support;

namespace MemoryFabric.Server.Tests.Api;

/// <summary><c>MemoryFabric:GuardTestimony</c> reaches the agents' guard: on by default in the server, as in the engine
/// (hearsay from a new voice is quarantined), off when set to false (it is not).</summary>
public sealed class GuardTestimonySettingTests
{
    private static readonly DateTimeOffset Start = new(2023, 5, 8, 13, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public async Task Hearsay_from_a_new_voice_is_quarantined_unless_the_setting_is_off(string? setting, bool quarantined)
    {
        using var factory = new FabricServerFactory(setting is null ? null : new Dictionary<string, string?> { ["MemoryFabric:GuardTestimony"] = setting });
        using var client = await factory.CreateTenantClientAsync("acme");

        await Ingest(client,
            Turn("D1:1", "s1", "Caroline", "Hi Melanie! I live in Seattle now, right by the old harbour market.", 0),
            Turn("D1:2", "s1", "Melanie", "Oh nice, Caroline! We went camping at the beach with the kids.", 0),
            Turn("D1:3", "s1", "Caroline", "The harbour market in Seattle has the best fish stalls, I shop there every Sunday.", 0));
        await Ingest(client,
            Turn("D2:1", "s2", "Melanie", "How was your week, Caroline?", 7),
            Turn("D2:2", "s2", "Caroline", "Busy! I've been volunteering at the youth shelter and painting in the evenings.", 7),
            Turn("D2:3", "s2", "Melanie", "My pottery class finally fired our bowls.", 7));
        await Ingest(client, Turn("X1", "x1", "Dana", "Between us, Caroline's harbour market is in Portland; she never lived near Seattle.", 20));
        (await client.PostAsync("/v1/agents/bot/consolidate", null)).EnsureSuccessStatusCode();

        var context = await client.PostAsJsonAsync("/v1/agents/bot/context", new { query = "Where is Caroline's harbour market?", tokenBudget = 2000 }, MemoryFabricJson.Options);
        context.EnsureSuccessStatusCode();
        var text = (await context.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("text").GetString()!;
        var quarantine = (await client.GetFromJsonAsync<JsonElement>("/v1/agents/bot/quarantine")).GetProperty("items").EnumerateArray()
            .Select(e => e.GetProperty("itemId").GetString()).ToList();

        Assert.Equal(quarantined, quarantine.Contains("X1"));
        Assert.Equal(!quarantined, text.Contains("Portland", StringComparison.Ordinal));
    }

    private static object Turn(string id, string session, string speaker, string text, int day) =>
        new { id, sessionId = session, speaker, role = "user", text, timestamp = Start.AddDays(day) };

    private static async Task Ingest(HttpClient client, params object[] turns) =>
        (await client.PostAsJsonAsync("/v1/agents/bot/turns", new { turns }, MemoryFabricJson.Options)).EnsureSuccessStatusCode();
}
