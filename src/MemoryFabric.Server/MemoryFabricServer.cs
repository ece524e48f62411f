using System.Threading.RateLimiting;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Embeddings;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Server.Endpoints;
using MemoryFabric.Server.Hosting;
using MemoryFabric.Server.Http;
using MemoryFabric.Server.Inspector;
using MemoryFabric.Server.Mcp;
using MemoryFabric.Server.Security;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Server;

/// <summary>Builds the MemoryFabric server: an Orleans silo in the process (embedded: one silo over SQLite; cluster:
/// a silo of a cluster on Azure Storage), the agent and admin routes, limits, problem+json errors, health, readiness,
/// OpenAPI and Prometheus metrics.</summary>
public static class MemoryFabricServer
{
    /// <summary>Builds the server from command-line arguments and configuration. The embedder is chosen when the host
    /// starts (which may fetch the MiniLM model on first start).</summary>
    /// <param name="args">Command-line arguments (<c>--urls</c>, <c>--MemoryFabric:DataDirectory=...</c>, ...).</param>
    /// <param name="configure">Adjusts the builder before it is built (tests, <c>memfab serve</c>).</param>
    /// <returns>The application, not started.</returns>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json ships beside the assembly; ./data stays relative to the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        var options = builder.Configuration.GetSection(MemoryFabricServerOptions.SectionName).Get<MemoryFabricServerOptions>() ?? new MemoryFabricServerOptions();
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(options.Urls);
        }

        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBodySize);
        if (options.ShutdownTimeout <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"MemoryFabric:ShutdownTimeout must be positive (it is {options.ShutdownTimeout}).");
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout); // bounds SIGTERM to exit
        ThreadPoolMinimum.Raise(ThreadPoolMinimum.Resolve(options.MinWorkerThreads, Environment.ProcessorCount));
        AddServices(builder.Services, builder.Configuration);
        builder.AddFabricSilo(options);
        var app = builder.Build();
        Configure(app);
        return app;
    }

    private static void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<MemoryFabricServerOptions>(configuration.GetSection(MemoryFabricServerOptions.SectionName));
        services.TryAddSingletonTimeProvider();
        services.AddSingleton(sp =>
        {
            var server = sp.GetRequiredService<IOptions<MemoryFabricServerOptions>>().Value;
            return AdminKey.Resolve(server.AdminKey, server.InMemory ? null : server.DataDirectory);
        });

        // Chosen when the host starts, before the runtime (hosted services start in registration order).
        services.AddSingleton<EmbedderHolder>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbedderHolder>());
        services.AddSingleton(sp => sp.GetRequiredService<EmbedderHolder>().Selected);
        services.AddHostedService<EngineWarmup>(); // after the embedder, before the runtime: nothing is stored

        AddGrainServices(services);
        services.AddSingleton(_ =>
        {
            var tenantIndex = configuration.GetSection(MemoryFabric.Orleans.TenantIndex.TenantIndexOptions.SectionName).Get<MemoryFabric.Orleans.TenantIndex.TenantIndexOptions>() ?? new();
            tenantIndex.Validate(); // MemoryFabric:TenantIndex (shards, flush delay, retry delays)
            return tenantIndex;
        });
        services.AddSingleton(sp => new MemoryFabric.Orleans.TenantIndex.TenantSearchEmbedder(() => sp.GetRequiredService<EmbedderHolder>().Generator)); // POST /v1/search
        services.AddServerTelemetry(configuration); // metrics at /metrics (Prometheus exporter), traces (OTLP when configured)
        services.AddSingleton<ReadinessState>();
        services.AddSingleton<ApiKeyCache>();
        services.AddHostedService<ApiKeyRevocationWatcher>(); // drops keys revoked through other servers of a cluster
        services.AddHostedService<ApiKeyDirectoryWarmup>(); // once the silo runs, before ready: the tenant directory activated
        services.AddSingleton<ClientAddressLimiter>();
        services.AddApiKeyAuthorization(); // API key scheme, one scope policy per /v1 route, 401/403 problem+json
        services.AddMcpEndpoint(configuration); // the MCP tools at /mcp (Mcp/), unless MemoryFabric:Mcp:Enabled=false
        services.AddProblemDetails();
        services.AddOpenApi();
        services.ConfigureHttpJsonOptions(o =>
        {
            var shared = MemoryFabric.Serialization.MemoryFabricJson.CreateOptions();
            o.SerializerOptions.PropertyNamingPolicy = shared.PropertyNamingPolicy;
            foreach (var converter in shared.Converters)
            {
                o.SerializerOptions.Converters.Add(converter);
            }
        });
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var tenant = context.Features.Get<CallerIdentity>()?.Tenant;
                var options = context.RequestServices.GetRequiredService<IOptions<MemoryFabricServerOptions>>().Value;
                if (tenant is null || options.RateLimitPerSecond <= 0)
                {
                    return RateLimitPartition.GetNoLimiter("-");
                }

                return RateLimitPartition.GetTokenBucketLimiter(tenant, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, options.RateLimitBurst),
                    TokensPerPeriod = Math.Max(1, options.RateLimitPerSecond / 10),
                    ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.OnRejected = async (rejected, ct) =>
            {
                var options = rejected.HttpContext.RequestServices.GetRequiredService<IOptions<MemoryFabricServerOptions>>().Value;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                rejected.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Problems.WriteAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests",
                    $"The tenant's rate limit ({options.RateLimitPerSecond}/s, MemoryFabric:RateLimitPerSecond) is exhausted; retry after the Retry-After delay.").ConfigureAwait(false);
            };
        });
    }

    /// <summary>The engine options of every agent (and of the start-up warm-up): deferred embedding, the server's query
    /// deadline, batch and text limits, and guard settings.</summary>
    /// <param name="server">The server's settings.</param>
    /// <param name="claims">The guard's claim extractor, or none for its built-in rules.</param>
    /// <returns>New options.</returns>
    internal static AgentMemoryOptions EngineOptions(MemoryFabricServerOptions server, MemoryFabric.Guard.IClaimExtractor? claims) => new()
    {
        DeferEmbedding = true,
        Retrieval = new MemoryFabric.Retrieval.RetrievalOptions { QueryEmbeddingDeadline = server.QueryEmbeddingDeadline },
        MaxBatchSize = server.MaxBatchSize,
        MaxTurnTextLength = server.MaxTurnTextLength,
        Guard = new MemoryFabric.Guard.MemoryGuardOptions { ClaimExtractor = claims, Testimony = server.GuardTestimony },
    };

    // The grains' engine objects, the same in both modes; the silo itself is added by FabricHosting.
    private static void AddGrainServices(IServiceCollection services)
    {
        services.AddSingleton(sp => new MemoryFabric.Orleans.Resilience.ClusterCallRetry(
            new MemoryFabric.Orleans.Resilience.ClusterCallRetryOptions { Budget = sp.GetRequiredService<IOptions<MemoryFabricServerOptions>>().Value.CallRetryBudget },
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AgentMemoryMetrics>();
        services.AddSingleton<IAgentMemoryFactory>(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            var embedder = sp.GetRequiredService<EmbedderHolder>();
            var server = sp.GetRequiredService<IOptions<MemoryFabricServerOptions>>().Value;
            var claims = GuardClaimExtractor.Create(server.GuardClaims);
            return new AgentMemoryFactory(() => new AgentMemory(EngineOptions(server, claims), time, embedder.Generator));
        });
        services.AddSingleton(sp =>
        {
            var server = sp.GetRequiredService<IOptions<MemoryFabricServerOptions>>().Value;
            return new AgentMemoryGrainOptions
            {
                ConsolidationPeriod = server.ConsolidationPeriod,
                ConsolidateAfterTurns = server.ConsolidateAfterTurns,
                SessionIdleConsolidation = server.SessionIdleConsolidation,
                ImportBatchSize = server.MaxBatchSize, // an import of any size, in batches the engine accepts
                IndexingGate = new DenseIndexingGate(), // background embedding on at most half the cores
            };
        });

    }

    private static void Configure(WebApplication app)
    {
        app.Services.GetRequiredService<ReadinessState>().Attach(app.Lifetime);
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            var code = context.Response.StatusCode;
            var (slug, title, detail) = code switch
            {
                StatusCodes.Status404NotFound => ("not-found", "Not found", $"No route matches {context.Request.Method} {context.Request.Path}."),
                StatusCodes.Status405MethodNotAllowed => ("method-not-allowed", "Method not allowed", $"{context.Request.Method} is not allowed on {context.Request.Path}."),
                _ => ("error", ReasonPhrase(code), (string?)null),
            };
            await Problems.WriteAsync(context, code, slug, title, detail).ConfigureAwait(false);
        });
        app.UseMiddleware<McpHostCheckMiddleware>(); // /mcp: Host and Origin against DNS rebinding, before anything else
        app.UseMiddleware<ClientAddressRateLimitMiddleware>(); // per client address, before any key is looked up
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseMiddleware<RouteIdentifierMiddleware>();
        app.MapOpenApi().AllowAnonymous();
        app.MapServiceEndpoints();
        app.MapAdminEndpoints();
        var agents = app.MapAgentEndpoints();
        agents.MapNoteEndpoints();
        agents.MapTransferEndpoints();
        agents.MapTimelineEndpoints();
        app.MapGuardEndpoints();
        app.MapTenantSearchEndpoints(); // POST /v1/search over the tenant's vector shards
        app.MapTenantReindexEndpoints(); // POST /v1/admin/tenants/{tenant}/reindex rebuilds the tenant's vector shards
        app.MapMcpEndpoint(); // streamable HTTP at /mcp (Mcp/McpEndpoint.cs)
        app.MapInspector(); // the memory inspector at /ui (Inspector/)
    }

    private static string ReasonPhrase(int code) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(code) is { Length: > 0 } p ? p : "Error";

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
