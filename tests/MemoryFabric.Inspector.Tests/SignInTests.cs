using MemoryFabric.Inspector.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace MemoryFabric.Inspector.Tests;

[Collection(InspectorTests.Name)]
public sealed class SignInTests(InspectorServer server)
{
    [Fact]
    public async Task A_tenant_key_signs_in_and_stays_in_session_storage_only()
    {
        var tenant = await server.CreateTenantAsync("signin");
        await tenant.IngestAsync("tom", Tenant.Turn("t1", "I ran my first half marathon in Lisbon."));
        await using var tab = await server.OpenAsync();
        await tab.GotoAsync();
        await Expect(tab.Page.Locator("form.signin")).ToBeVisibleAsync();
        await tab.ScreenshotAsync("signin");

        await tab.Page.Locator("#key").FillAsync("mfk_not_a_key");
        await tab.Page.Locator("form.signin button[type=submit]").ClickAsync();
        await Expect(tab.Page.Locator("form.signin .error")).ToContainTextAsync("unknown or was revoked");

        await tab.Page.Locator("#key").FillAsync(tenant.Key);
        await tab.Page.Locator("form.signin button[type=submit]").ClickAsync();
        await Expect(tab.Page.Locator("#who .role")).ToHaveTextAsync("tenant key");
        await Expect(tab.Page.Locator("tr[data-agent=tom]")).ToBeVisibleAsync();

        Assert.Equal(tenant.Key, await tab.Page.EvaluateAsync<string>("() => sessionStorage.getItem('memoryfabric.key')"));
        Assert.Null(await tab.Page.EvaluateAsync<string?>("() => localStorage.getItem('memoryfabric.key')"));
        Assert.Empty(await tab.Page.Context.CookiesAsync());
        Assert.DoesNotContain(tenant.Key, tab.Page.Url, StringComparison.Ordinal);

        // A new tab of the same browser profile is signed out: the key lived in this tab's session only.
        var other = await tab.Page.Context.NewPageAsync();
        await other.GotoAsync(server.Origin + "/ui/");
        await Expect(other.Locator("form.signin")).ToBeVisibleAsync();

        await tab.Page.Locator("#who button").ClickAsync(); // sign out
        await Expect(tab.Page.Locator("form.signin")).ToBeVisibleAsync();
        Assert.Null(await tab.Page.EvaluateAsync<string?>("() => sessionStorage.getItem('memoryfabric.key')"));
        tab.AssertClean();
    }

    [Fact]
    public async Task The_admin_key_sees_tenants_and_their_keys_without_secrets()
    {
        var tenant = await server.CreateTenantAsync("admin-view");
        await using var tab = await server.OpenAsync();
        await tab.SignInAsync(server.AdminKey);
        await Expect(tab.Page.Locator("#who .role")).ToHaveTextAsync("admin key");
        await Expect(tab.Page.Locator($"tr[data-tenant='{tenant.Id}']")).ToBeVisibleAsync();
        await tab.ScreenshotAsync("tenants");

        await tab.Page.Locator($"tr[data-tenant='{tenant.Id}'] a").ClickAsync();
        var row = tab.Page.Locator("table.keys tbody tr");
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("inspector");
        await Expect(row).ToContainTextAsync("read, write, forget, guard");
        var page = await tab.Page.ContentAsync();
        Assert.DoesNotContain(tenant.Key, page, StringComparison.Ordinal);
        Assert.DoesNotContain("mfk_", await tab.Page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        tab.AssertClean();
    }
}
