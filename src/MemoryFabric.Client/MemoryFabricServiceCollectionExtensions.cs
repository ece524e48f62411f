using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Client;

/// <summary>Registers the MemoryFabric clients with dependency injection, on <c>IHttpClientFactory</c>.</summary>
public static class MemoryFabricServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> and of the options of <see cref="IMemoryFabricClient"/>.</summary>
    public const string ClientName = "MemoryFabric";

    /// <summary>The name of the <see cref="HttpClient"/> and of the options of <see cref="IMemoryFabricAdminClient"/>.</summary>
    public const string AdminClientName = "MemoryFabric.Admin";

    /// <summary>Registers <see cref="IMemoryFabricClient"/> (transient, on a named <see cref="HttpClient"/> from
    /// <c>IHttpClientFactory</c>) with the options <paramref name="configure"/> sets.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the endpoint, the tenant key and the limits.</param>
    /// <returns>The HTTP client's builder, to add handlers (logging, resilience, a test server's handler).</returns>
    /// <example>
    /// <code>
    /// services.AddMemoryFabricClient(o =>
    /// {
    ///     o.Endpoint = new Uri("http://127.0.0.1:5080");
    ///     o.ApiKey = configuration["MemoryFabric:ApiKey"];
    /// });
    /// </code>
    /// </example>
    public static IHttpClientBuilder AddMemoryFabricClient(this IServiceCollection services, Action<MemoryFabricClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<MemoryFabricClientOptions>(ClientName).Configure(configure);
        return services.AddHttpClient<IMemoryFabricClient, MemoryFabricClient>(
                ClientName,
                (http, provider) => new MemoryFabricClient(http, provider.GetRequiredService<IOptionsMonitor<MemoryFabricClientOptions>>().Get(ClientName)))
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
    }

    /// <summary>Registers <see cref="IMemoryFabricAdminClient"/> (transient, on a named <see cref="HttpClient"/> from
    /// <c>IHttpClientFactory</c>) with the options <paramref name="configure"/> sets; its key is the admin key.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the endpoint and the admin key.</param>
    /// <returns>The HTTP client's builder.</returns>
    public static IHttpClientBuilder AddMemoryFabricAdminClient(this IServiceCollection services, Action<MemoryFabricClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<MemoryFabricClientOptions>(AdminClientName).Configure(configure);
        return services.AddHttpClient<IMemoryFabricAdminClient, MemoryFabricAdminClient>(
                AdminClientName,
                (http, provider) => new MemoryFabricAdminClient(http, provider.GetRequiredService<IOptionsMonitor<MemoryFabricClientOptions>>().Get(AdminClientName)))
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
    }
}
