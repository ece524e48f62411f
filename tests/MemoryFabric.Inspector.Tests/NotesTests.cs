using MemoryFabric.Inspector.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace MemoryFabric.Inspector.Tests;

[Collection(InspectorTests.Name)]
public sealed class NotesTests(InspectorServer server)
{
    [Fact]
    public async Task An_updated_note_shows_its_history_with_what_changed_and_edits_go_through_a_confirmation()
    {
        var tenant = await server.CreateTenantAsync("notes");
        await tenant.IngestAsync("tom", Tenant.Turn("t1", "I live in Lisbon.", "Tom"), Tenant.Turn("t2", "Actually I moved to Porto.", "Tom", minute: 1));
        var created = await tenant.SendAsync(HttpMethod.Post, "/v1/agents/tom/notes", new { text = "Tom lives in Lisbon.", subject = "Tom", attribute = "home city", value = "Lisbon", sourceTurnIds = new[] { "t1" } });
        var v1 = created.GetProperty("note").GetProperty("id").GetString()!;
        var updated = await tenant.SendAsync(HttpMethod.Put, $"/v1/agents/tom/notes/{v1}", new { text = "Tom lives in Porto.", subject = "Tom", attribute = "home city", value = "Porto", sourceTurnIds = new[] { "t2" } });
        var v2 = updated.GetProperty("note").GetProperty("id").GetString()!;

        await using var tab = await server.OpenAsync();
        await tab.SignInAsync(tenant.Key);
        await tab.NavigateAsync($"#/agents/tom/notes/{v2}");
        var versions = tab.Page.Locator("ol.versions > li");
        await Expect(versions).ToHaveCountAsync(2);
        await Expect(versions.Nth(0)).ToContainTextAsync("v1 · superseded");
        await Expect(versions.Nth(0)).ToContainTextAsync("First version.");
        await Expect(versions.Nth(1)).ToContainTextAsync("v2 · active");
        var textChange = versions.Nth(1).Locator("li[data-field=text]");
        await Expect(textChange.Locator("del")).ToHaveTextAsync("Tom lives in Lisbon.");
        await Expect(textChange.Locator("ins")).ToHaveTextAsync("Tom lives in Porto.");
        await Expect(versions.Nth(1).Locator("li[data-field=value] ins")).ToHaveTextAsync("Porto");
        await Expect(tab.Page.Locator("dl.fields")).ToContainTextAsync("v2 (lineage " + v1 + ")");
        await tab.ScreenshotAsync("note-history");

        // Edit: cancelled at the confirmation, nothing changes; confirmed, a third version.
        await tab.Page.Locator("button.edit").ClickAsync();
        await tab.Page.Locator("form.editor textarea[name=text]").FillAsync("Tom lives in Porto, by the river.");
        await tab.Page.Locator("form.editor button[type=submit]").ClickAsync();
        await tab.AnswerConfirmationAsync(confirm: false);
        Assert.Equal(2, (await tenant.GetAsync($"/v1/agents/tom/notes/{v1}/history")).GetProperty("versions").GetArrayLength());
        await tab.Page.Locator("form.editor button[type=submit]").ClickAsync();
        await tab.AnswerConfirmationAsync(confirm: true);
        await Expect(versions).ToHaveCountAsync(3);
        await Expect(versions.Nth(2).Locator("li[data-field=text] ins")).ToHaveTextAsync("Tom lives in Porto, by the river.");
        Assert.Equal(3, (await tenant.GetAsync($"/v1/agents/tom/notes/{v1}/history")).GetProperty("versions").GetArrayLength());
        tab.AssertClean();
    }

    [Fact]
    public async Task Delete_and_purge_each_ask_first()
    {
        var tenant = await server.CreateTenantAsync("purge");
        await tenant.IngestAsync("tom", Tenant.Turn("t1", "I like green tea.", "Tom"));
        var created = await tenant.SendAsync(HttpMethod.Post, "/v1/agents/tom/notes", new { text = "Tom likes green tea.", subject = "Tom", kind = "preference" });
        var id = created.GetProperty("note").GetProperty("id").GetString()!;

        await using var tab = await server.OpenAsync();
        await tab.SignInAsync(tenant.Key);
        await tab.NavigateAsync($"#/agents/tom/notes/{id}");
        await tab.Page.Locator("button.delete").ClickAsync();
        await tab.AnswerConfirmationAsync(confirm: true);
        await Expect(tab.Page.Locator("ol.versions > li")).ToHaveCountAsync(1);
        await Expect(tab.Page.Locator("ol.versions > li").First).ToContainTextAsync("v1 · deleted");
        await Expect(tab.Page.Locator("button.delete")).ToHaveCountAsync(0); // a deleted note is not edited or deleted again
        Assert.Equal("deleted", (await tenant.GetAsync($"/v1/agents/tom/notes/{id}")).GetProperty("status").GetString());

        await tab.Page.Locator("button.purge").ClickAsync();
        await tab.AnswerConfirmationAsync(confirm: false);
        Assert.Equal(1, (await tenant.GetAsync($"/v1/agents/tom/notes/{id}/history")).GetProperty("versions").GetArrayLength());
        await tab.Page.Locator("button.purge").ClickAsync();
        await tab.AnswerConfirmationAsync(confirm: true);
        await Expect(tab.Page.Locator("h1")).ToHaveTextAsync("Notes");
        using var client = tenant.Client();
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await client.GetAsync($"/v1/agents/tom/notes/{id}/history")).StatusCode);
        tab.AssertClean();
    }
}
