using System.Globalization;
using MemoryFabric.Inspector.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace MemoryFabric.Inspector.Tests;

[Collection(InspectorTests.Name)]
public sealed class SearchPlaygroundTests(InspectorServer server)
{
    [Fact]
    public async Task The_playground_shows_the_packed_context_with_scores_signals_tokens_the_cut_and_the_request()
    {
        var tenant = await TimelineTests.SeedConversationAsync(server, "tom");
        await using var tab = await server.OpenAsync();
        await tab.SignInAsync(tenant.Key);
        await tab.NavigateAsync("#/agents/tom/search");
        await tab.Page.Locator("input[name=query]").FillAsync("Where did Tom move last spring?");
        await tab.Page.Locator("input[name=budget]").FillAsync("40");
        await tab.Page.Locator("form.playground button[type=submit]").ClickAsync();

        await Expect(tab.Page.Locator(".summary-line .mode")).ToHaveTextAsync("retrieved");
        var packed = tab.Page.Locator("table.packed tbody tr");
        Assert.True(await packed.CountAsync() >= 1);
        var first = packed.First;
        var score = double.Parse(await first.Locator("td.score").InnerTextAsync(), CultureInfo.InvariantCulture);
        Assert.True(score > 0);
        Assert.True(await first.Locator("td.signals .chip").CountAsync() >= 1);
        var tokens = int.Parse(await first.Locator("td.tokens").InnerTextAsync(), CultureInfo.InvariantCulture);
        var text = await first.Locator("td.item-text").InnerTextAsync();
        Assert.Equal((text.Length + 3) / 4, tokens);
        await Expect(tab.Page.Locator("table.below-cut tbody tr").First.Locator("td.left-out")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(budget|redundant)$"));
        await Expect(tab.Page.Locator("pre.context-text")).ToContainTextAsync("Porto");

        // The same request, as the API and the SDK take it, ready to copy; and it answers the same context.
        var curl = await tab.Page.Locator("pre.copyable.curl").Last.InnerTextAsync();
        Assert.Contains("/v1/agents/tom/context", curl, StringComparison.Ordinal);
        Assert.Contains("\"explain\":true", curl, StringComparison.Ordinal);
        Assert.Contains("\"tokenBudget\":40", curl, StringComparison.Ordinal);
        Assert.DoesNotContain(tenant.Key, curl, StringComparison.Ordinal);
        await Expect(tab.Page.Locator("pre.copyable.csharp").Last).ToContainTextAsync("TokenBudget = 40");
        var api = await tenant.SendAsync(HttpMethod.Post, "/v1/agents/tom/context", new { query = "Where did Tom move last spring?", tokenBudget = 40, preferVerbatimWhenItFits = false, explain = true });
        Assert.Equal(api.GetProperty("text").GetString(), await tab.Page.Locator("pre.context-text").InnerTextAsync());
        await tab.ScreenshotAsync("search");
        tab.AssertClean();
    }
}
