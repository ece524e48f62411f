using System.Net;
using MemoryFabric.Api;

namespace MemoryFabric.Client.Tests;

public sealed class TenantDeletionClientTests
{
    [Fact]
    public async Task Delete_tenant_sends_DELETE_with_the_admin_key_and_reads_the_counts()
    {
        var handler = new StubHandler(r => r switch
        {
            { RawPath: "/v1/admin/tenants/acme", Method.Method: "DELETE" } => StubHandler.Json("""{"tenant":"acme","agentsPurged":3,"keysRevoked":2}"""),
            _ => StubHandler.Problem(HttpStatusCode.NotFound, "Not Found"),
        });
        var admin = Admin(handler);

        var result = await admin.DeleteTenantAsync("acme");

        Assert.Equal(new TenantDeletionResult("acme", 3, 2), result);
        var request = handler.Single;
        Assert.Equal(HttpMethod.Delete, request.Method);
        Assert.Equal("Bearer admin_key", request.Authorization);
        Assert.Null(request.Body);
    }

    [Fact]
    public async Task An_unknown_tenant_is_a_404_exception_with_the_servers_detail()
    {
        var handler = new StubHandler(_ => StubHandler.Problem(HttpStatusCode.NotFound, "Not found", "No tenant 'nobody'."));
        var admin = Admin(handler);

        var e = await Assert.ThrowsAsync<MemoryFabricApiException>(() => admin.DeleteTenantAsync("nobody"));

        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.Equal("No tenant 'nobody'.", e.Problem.Detail);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_busy_server_is_asked_again_since_a_repeated_delete_resumes_the_same_deletion()
    {
        var clock = new InstantTimeProvider();
        var handler = new StubHandler((r, i, _) => Task.FromResult(i == 0
            ? StubHandler.Problem(HttpStatusCode.ServiceUnavailable, "Storage is busy")
            : StubHandler.Json("""{"tenant":"acme","agentsPurged":1,"keysRevoked":0}""")));
        var admin = new MemoryFabricAdminClient(new HttpClient(handler), new() { Endpoint = new Uri("http://memory.test"), ApiKey = "admin_key", TimeProvider = clock });

        var result = await admin.DeleteTenantAsync("acme");

        Assert.Equal(1, result.AgentsPurged);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Single(clock.Delays);
    }

    [Fact]
    public async Task A_blank_or_unaddressable_tenant_id_is_refused_before_any_request()
    {
        var handler = new StubHandler(_ => StubHandler.Status(HttpStatusCode.OK));
        var admin = Admin(handler);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => admin.DeleteTenantAsync(" "));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => admin.DeleteTenantAsync(".."));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_tenant_being_deleted_is_listed_with_the_time_its_deletion_started()
    {
        var handler = new StubHandler(_ => StubHandler.Json(
            """{"tenants":[{"id":"acme","name":"Acme","createdAt":"2024-05-01T12:00:00+00:00","deletingSince":"2024-06-01T08:30:00+00:00"},{"id":"globex","name":"globex","createdAt":"2024-05-02T12:00:00+00:00","deletingSince":null}]}"""));
        var admin = Admin(handler);

        var tenants = await admin.ListTenantsAsync();

        Assert.Equal(new DateTimeOffset(2024, 6, 1, 8, 30, 0, TimeSpan.Zero), tenants[0].DeletingSince);
        Assert.Null(tenants[1].DeletingSince);
    }

    private static MemoryFabricAdminClient Admin(StubHandler handler) =>
        new(new HttpClient(handler), new() { Endpoint = new Uri("http://memory.test"), ApiKey = "admin_key" });
}
