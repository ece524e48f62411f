using System.Net;
using System.Text;
using MemoryFabric.Mcp.Tests.Support;
using ModelContextProtocol.Client;

namespace MemoryFabric.Mcp.Tests;

/// <summary>/mcp behind the server's API keys, scopes and Host/Origin check: the tenant comes from the key only.</summary>
[Collection(McpServerGroup.Name)]
public sealed class SecurityTests(McpTestServer server)
{
    private const string Initialize =
        """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";

    [Theory]
    [InlineData(null)]
    [InlineData("mfk_wrong")]
    [InlineData("not-even-a-key")]
    public async Task A_missing_or_wrong_key_gets_401_before_any_MCP_handling(string? key)
    {
        using var http = server.Http(key);
        // A body MCP would reject as malformed: the answer is still 401, so nothing was parsed.
        using var garbage = await http.SendAsync(Post("{ this is not json"));
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
        Assert.Equal("application/problem+json", garbage.Content.Headers.ContentType?.MediaType);

        using var initialize = await http.SendAsync(Post(Initialize));
        Assert.Equal(HttpStatusCode.Unauthorized, initialize.StatusCode);
        using var get = await http.GetAsync(new Uri("/mcp", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);

        if (key is not null)
        {
            var transport = new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = server.McpEndpoint,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
            });
            await Assert.ThrowsAnyAsync<Exception>(() => McpClient.CreateAsync(transport));
        }
    }

    [Fact]
    public async Task The_admin_key_is_refused_and_a_tenant_key_gets_through()
    {
        using var admin = server.Http(McpTestServer.AdminKey);
        using var refused = await admin.SendAsync(Post(Initialize));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("tenant key", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var tenant = server.Http(await server.KeyAsync("raw-http", "read"));
        using var ok = await tenant.SendAsync(Post(Initialize));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("memoryfabric", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("evil.example.com", null)]
    [InlineData("evil.example.com:80", null)]
    [InlineData("127.0.0.1.nip.io", null)]
    [InlineData(null, "http://evil.example.com")]
    [InlineData(null, "https://attacker.test:8443")]
    [InlineData(null, "null")]
    public async Task A_hostile_Host_or_Origin_is_refused_with_403(string? host, string? origin)
    {
        using var http = server.Http(await server.KeyAsync("rebinding", "read"));
        using var request = Post(Initialize);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("DNS rebinding", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost", null)]
    [InlineData("127.0.0.1", "http://localhost:6274")]
    [InlineData("[::1]", "http://127.0.0.1:3000")]
    public async Task Loopback_Host_and_Origin_are_accepted(string host, string? origin)
    {
        using var http = server.Http(await server.KeyAsync("rebinding", "read"));
        using var request = Post(Initialize);
        request.Headers.Host = $"{host}:{server.Port}";
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_key_of_one_tenant_naming_another_tenants_agent_sees_nothing_of_it()
    {
        var bob = await server.ConnectAsync(await server.KeyAsync("tenant-b"));
        await bob.CallAsync("add_memory", new { agent = "secret-agent", text = "The vault code is 7391, Bob said." });
        Assert.NotEmpty((await bob.CallAsync("search_memory", new { agent = "secret-agent", query = "vault code" })).Items("hits"));

        var alice = await server.ConnectAsync(await server.KeyAsync("tenant-a"));
        foreach (var (tool, arguments) in new (string, object)[]
        {
            ("search_memory", new { agent = "secret-agent", query = "vault code" }),
            ("get_context", new { agent = "secret-agent", query = "What is the vault code?" }),
            ("list_notes", new { agent = "secret-agent" }),
        })
        {
            var message = await alice.FailAsync(tool, arguments);
            Assert.Contains("No agent named 'secret-agent'", message, StringComparison.Ordinal);
            Assert.DoesNotContain("7391", message, StringComparison.Ordinal);
        }

        // Writing under that name makes tenant A's own agent; B's memory is untouched and still alone in B.
        await alice.CallAsync("add_memory", new { agent = "secret-agent", text = "Alice's own note." });
        var aliceHits = await alice.CallAsync("search_memory", new { agent = "secret-agent", query = "vault code 7391" });
        Assert.DoesNotContain(aliceHits.Items("hits"), h => h.Str("text").Contains("7391", StringComparison.Ordinal));
        var bobHits = await bob.CallAsync("search_memory", new { agent = "secret-agent", query = "Alice own note" });
        Assert.DoesNotContain(bobHits.Items("hits"), h => h.Str("text").Contains("Alice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_read_only_key_cannot_add_or_forget_and_its_calls_store_nothing()
    {
        var full = await server.KeyAsync("scopes");
        var api = server.Api(full);
        await api.IngestAsync("sam", [new Conversation.TurnInput { SessionId = "s", Speaker = "Sam", Text = "Sam collects stamps from Peru.", Timestamp = DateTimeOffset.UtcNow }]);
        var note = (await api.AddNoteAsync("sam", new Notes.NoteWrite { Text = "Sam collects stamps.", Subject = "Sam" })).Note;

        var reader = await server.ConnectAsync(await server.KeyAsync("scopes", "read"));
        var add = await reader.FailAsync("add_memory", new { agent = "sam", text = "Sam hates stamps now." });
        Assert.Contains("'write' scope", add, StringComparison.Ordinal);
        var addNew = await reader.FailAsync("add_memory", new { agent = "sam-two", text = "Should not exist." });
        Assert.Contains("'write' scope", addNew, StringComparison.Ordinal);
        var forget = await reader.FailAsync("forget", new { agent = "sam", id = note.Id });
        Assert.Contains("'forget' scope", forget, StringComparison.Ordinal);
        Assert.Contains("'write' scope", await reader.FailAsync("update_note", new { agent = "sam", id = note.Id, text = "x", expected_version = 1 }), StringComparison.Ordinal);

        // Reading still works; nothing was stored or removed.
        Assert.NotEmpty((await reader.CallAsync("search_memory", new { agent = "sam", query = "stamps Peru" })).Items("hits"));
        Assert.Single(await api.GetTurnsAsync("sam"));
        Assert.Null(await api.GetAgentAsync("sam-two"));
        Assert.NotNull(await api.GetNoteAsync("sam", note.Id));

        // A write-only key cannot read; a key with read and write still cannot forget.
        var writer = await server.ConnectAsync(await server.KeyAsync("scopes", "write"));
        Assert.Contains("'read' scope", await writer.FailAsync("search_memory", new { agent = "sam", query = "stamps" }), StringComparison.Ordinal);
        var readWrite = await server.ConnectAsync(await server.KeyAsync("scopes", "read", "write"));
        Assert.Contains("'forget' scope", await readWrite.FailAsync("forget", new { agent = "sam", id = note.Id }), StringComparison.Ordinal);
        Assert.NotNull(await api.GetNoteAsync("sam", note.Id));
    }

    [Fact]
    public async Task The_servers_body_limit_applies_to_mcp()
    {
        using var http = server.Http(await server.KeyAsync("body-limit"));
        var text = new string('a', 17 * 1024 * 1024); // over the default 16 MiB (MemoryFabric:MaxRequestBodySize)
        var body = """{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"add_memory","arguments":{"agent":"big","text":"TEXT"}}}""".Replace("TEXT", text, StringComparison.Ordinal);
        using var request = Post(body);
        request.Headers.ExpectContinue = true; // the server answers before the body is sent
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Null(await server.Api(await server.KeyAsync("body-limit", "read")).GetAgentAsync("big"));
    }

    [Fact]
    public async Task A_trust_capped_key_never_writes_a_stronger_source()
    {
        var capped = await server.ConnectAsync(await server.KeyAsync("capped", 0.3, "read", "write"));
        var added = await capped.CallAsync("add_memory", new { agent = "crawler", text = "The web page says the CEO resigned." });
        var id = Assert.Single(added.Items("turn_ids")).GetString();

        var turns = await server.Api(await server.KeyAsync("capped", "read")).GetTurnsAsync("crawler");
        Assert.Equal(0.3, Assert.Single(turns, t => t.Id == id).Trust, 6);
    }

    private static HttpRequestMessage Post(string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/mcp", UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        return request;
    }
}
