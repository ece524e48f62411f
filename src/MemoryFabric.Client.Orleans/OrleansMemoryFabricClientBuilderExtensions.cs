using MemoryFabric.Orleans.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;

namespace MemoryFabric.Client.Orleans;

/// <summary>Registers <see cref="OrleansMemoryFabricClient"/> as the application's <see cref="IMemoryFabricClient"/>,
/// bound to one tenant, in an Orleans client or a silo.</summary>
/// <example>
/// <code>
/// // An application beside the cluster, through a gateway:
/// builder.UseOrleansClient(client => client
///     .UseLocalhostClustering()
///     .AddMemoryFabric("acme"));
///
/// // Co-hosted in a silo that hosts the fabric's grains:
/// builder.UseOrleans(silo => silo
///     .UseLocalhostClustering()
///     .AddMemoryFabric(o => o.UseInMemoryProviders = true)
///     .AddMemoryFabricClient("acme"));
///
/// // later
/// var memory = services.GetRequiredService&lt;IMemoryFabricClient&gt;();
/// </code>
/// </example>
public static class OrleansMemoryFabricClientBuilderExtensions
{
    /// <summary>Lets an Orleans client (an application beside the cluster, calling it through a gateway) use
    /// MemoryFabric: registers the fabric's serialization and an <see cref="IMemoryFabricClient"/> singleton
    /// (<see cref="OrleansMemoryFabricClient"/>) bound to <paramref name="tenant"/>, calling the grains through the
    /// client's <see cref="IGrainFactory"/>; and Orleans' activity propagation
    /// (<c>AddActivityPropagation</c>, once), so that the
    /// caller's trace context crosses the calls into the silo, which adds it on its side.</summary>
    /// <param name="builder">The Orleans client builder.</param>
    /// <param name="tenant">The tenant every call is made for (1 to 64 characters of <c>a-z 0-9 -</c>, starting with
    /// a letter or a digit).</param>
    /// <param name="configure">Adjusts the options (the batch size).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> is not a tenant id.</exception>
    /// <exception cref="InvalidOperationException">Another <see cref="IMemoryFabricClient"/> is registered already
    /// (the HTTP client, or this one for another tenant). An application that serves several tenants creates an
    /// <see cref="OrleansMemoryFabricClient"/> for each instead.</exception>
    public static IClientBuilder AddMemoryFabric(this IClientBuilder builder, string tenant, Action<OrleansMemoryFabricClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddClient(builder.Services, tenant, configure);
        if (!HasActivityPropagation(builder.Services))
        {
            builder.AddActivityPropagation(); // the application's traces carry into the silo (MemoryFabric.Orleans adds the silo's side)
        }

        return builder;
    }

    /// <summary>Lets the application co-hosted in a silo use MemoryFabric: registers the fabric's serialization and
    /// an <see cref="IMemoryFabricClient"/> singleton (<see cref="OrleansMemoryFabricClient"/>) bound to
    /// <paramref name="tenant"/>, calling the grains through the silo's <see cref="IGrainFactory"/>. The fabric's
    /// grains may run in this silo (<see cref="MemoryFabricOrleansExtensions.AddMemoryFabric(ISiloBuilder, Action{MemoryFabricSiloOptions}?)"/>)
    /// or in other silos of the cluster.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="tenant">The tenant every call is made for (1 to 64 characters of <c>a-z 0-9 -</c>, starting with
    /// a letter or a digit).</param>
    /// <param name="configure">Adjusts the options (the batch size).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> is not a tenant id.</exception>
    /// <exception cref="InvalidOperationException">Another <see cref="IMemoryFabricClient"/> is registered already
    /// (the HTTP client, or this one for another tenant).</exception>
    public static ISiloBuilder AddMemoryFabricClient(this ISiloBuilder builder, string tenant, Action<OrleansMemoryFabricClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddClient(builder.Services, tenant, configure);
        return builder;
    }

    private static void AddClient(IServiceCollection services, string tenant, Action<OrleansMemoryFabricClientOptions>? configure)
    {
        TenantIds.Check(tenant, nameof(tenant));
        var options = new OrleansMemoryFabricClientOptions();
        configure?.Invoke(options);
        options.Validate();

        var previous = services.FirstOrDefault(d => d.ServiceType == typeof(Registration) && !d.IsKeyedService)?.ImplementationInstance as Registration;
        if (previous is not null && previous.Tenant != tenant)
        {
            throw new InvalidOperationException(
                $"The MemoryFabric client is registered for the tenant '{previous.Tenant}' already; one application's IMemoryFabricClient serves one tenant. " +
                $"Create an {nameof(OrleansMemoryFabricClient)} for each other tenant instead.");
        }

        if (previous is null && services.Any(d => d.ServiceType == typeof(IMemoryFabricClient) && !d.IsKeyedService))
        {
            throw new InvalidOperationException(
                "An IMemoryFabricClient is registered already (the HTTP client's AddMemoryFabricClient?); register one client only.");
        }

        if (previous is not null)
        {
            // The same tenant again: the last options win, as with Configure.
            services.Remove(services.First(d => d.ServiceType == typeof(Registration) && !d.IsKeyedService));
            services.Remove(services.First(d => d.ServiceType == typeof(IMemoryFabricClient) && !d.IsKeyedService));
        }
        else
        {
            services.AddMemoryFabricSerialization();
        }

        services.AddSingleton(new Registration(tenant));
        services.AddSingleton<IMemoryFabricClient>(sp => new OrleansMemoryFabricClient(
            sp.GetRequiredService<IGrainFactory>(),
            tenant,
            options,
            sp.GetService<ILogger<OrleansMemoryFabricClient>>()));
    }

    // AddActivityPropagation adds its filter at every call: once is enough (the application may have added it too).
    private static bool HasActivityPropagation(IServiceCollection services) =>
        services.Any(d => d.ServiceType == typeof(IOutgoingGrainCallFilter) && !d.IsKeyedService
            && d.ImplementationType?.FullName == "Orleans.Runtime.ActivityPropagationOutgoingGrainCallFilter");

    /// <summary>Marks the registration, with its tenant.</summary>
    private sealed record Registration(string Tenant);
}
