using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace MemoryFabric.Inspector.Tests.Support;

/// <summary>One browser tab on the inspector, watched: every JavaScript dialog (alert, confirm, prompt) is recorded
/// and dismissed, and so are console errors (a Content-Security-Policy violation is one), uncaught page errors and
/// requests to any origin but the server's. <see cref="AssertClean"/> fails on any of them.</summary>
public sealed class InspectorPage : IAsyncDisposable
{
    private readonly InspectorServer _server;
    private readonly IBrowserContext _context;
    private readonly List<string> _dialogs = [];
    private readonly List<string> _errors = [];
    private readonly List<string> _foreign = [];

    public InspectorPage(InspectorServer server, IBrowserContext context, IPage page)
    {
        _server = server;
        _context = context;
        Page = page;
        page.Dialog += async (_, dialog) =>
        {
            lock (_dialogs)
            {
                _dialogs.Add($"{dialog.Type}: {dialog.Message}");
            }

            await dialog.DismissAsync();
        };
        page.Console += (_, message) =>
        {
            // A 4xx the page asked for and shows (a tenant key's 403 at sign-in, another tenant's 404) is logged by
            // Chromium as "Failed to load resource"; that is the API answering, not the page failing.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource: the server responded with a status of 4", StringComparison.Ordinal))
            {
                lock (_errors)
                {
                    _errors.Add("console: " + message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_errors)
            {
                _errors.Add("page: " + error);
            }
        };
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(_server.Origin + "/", StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                lock (_foreign)
                {
                    _foreign.Add(request.Url);
                }
            }
        };
    }

    public IPage Page { get; }

    /// <summary>The dialogs that opened (none, ever, is what every test expects).</summary>
    public IReadOnlyList<string> Dialogs
    {
        get
        {
            lock (_dialogs)
            {
                return [.. _dialogs];
            }
        }
    }

    /// <summary>Opens a route of the page (<c>#/agents/tom/timeline</c>) with a full load.</summary>
    public async Task GotoAsync(string hash = "")
    {
        await Page.GotoAsync(_server.Origin + "/ui/" + hash);
    }

    /// <summary>Opens the page and signs in with a key through the form.</summary>
    public async Task SignInAsync(string key)
    {
        await GotoAsync();
        await Page.Locator("#key").FillAsync(key);
        await Page.Locator("form.signin button[type=submit]").ClickAsync();
        await Expect(Page.Locator("#who .role")).ToBeVisibleAsync();
    }

    /// <summary>Moves to a route inside the page (no reload).</summary>
    public async Task NavigateAsync(string hash)
    {
        await Page.EvaluateAsync("h => { location.hash = h; }", hash);
    }

    /// <summary>Confirms (or cancels) the page's own confirmation dialog.</summary>
    public async Task AnswerConfirmationAsync(bool confirm)
    {
        var dialog = Page.Locator("dialog#confirm");
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.Locator(confirm ? "button.confirm" : "button.cancel").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
    }

    /// <summary>Fails on any dialog, console error, page error or request to another origin seen so far.</summary>
    public void AssertClean()
    {
        Assert.True(Dialogs.Count == 0, "dialogs opened: " + string.Join("; ", Dialogs));
        lock (_errors)
        {
            Assert.True(_errors.Count == 0, "errors: " + string.Join("; ", _errors));
        }

        lock (_foreign)
        {
            Assert.True(_foreign.Count == 0, "requests to other origins: " + string.Join("; ", _foreign));
        }
    }

    /// <summary>Saves a screenshot as <c>{name}.png</c> into <c>MEMFAB_SCREENSHOTS</c> when that is set (the README's
    /// screenshots are made this way); otherwise does nothing.</summary>
    public async Task ScreenshotAsync(string name)
    {
        if (Environment.GetEnvironmentVariable("MEMFAB_SCREENSHOTS") is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, name + ".png"), FullPage = false });
        }
    }

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
