using MemoryFabric.Client.Orleans.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.Serialization;

namespace MemoryFabric.Client.Orleans.Tests;

/// <summary>The builder extensions: what they register, and what they refuse.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public void AddMemoryFabric_registers_the_serialization_and_one_client_singleton_for_the_tenant()
    {
        var builder = new Builder();
        builder.AddMemoryFabric("acme", o => o.MaxBatchSize = 10);
        var descriptor = Assert.Single(builder.Services, d => d.ServiceType == typeof(IMemoryFabricClient));
        Assert.Equal(ServiceLifetime.Singleton, descriptor.Lifetime);
        Assert.Contains(builder.Services, d => d.ServiceType == typeof(IConfigureOptions<ExceptionSerializationOptions>));

        var (grains, _) = RecordingGrainFactory.Create();
        builder.Services.AddSingleton(grains);
        using var provider = builder.Services.BuildServiceProvider();
        var client = Assert.IsType<OrleansMemoryFabricClient>(provider.GetRequiredService<IMemoryFabricClient>());
        Assert.Equal("acme", client.Tenant);
        Assert.Same(client, provider.GetRequiredService<IMemoryFabricClient>());
    }

    [Fact]
    public void AddMemoryFabric_adds_Orleans_activity_propagation_once()
    {
        var builder = new Builder();
        builder.AddMemoryFabric("acme");
        builder.AddMemoryFabric("acme", o => o.MaxBatchSize = 5);
        Assert.Single(builder.Services, IsActivityPropagation);

        // An application that added it itself does not get a second filter.
        var own = new Builder();
        ((IClientBuilder)own).AddActivityPropagation();
        own.AddMemoryFabric("acme");
        Assert.Single(own.Services, IsActivityPropagation);
    }

    [Fact]
    public void AddMemoryFabricClient_registers_the_client_in_a_silo()
    {
        var builder = new Builder();
        ((ISiloBuilder)builder).AddMemoryFabricClient("acme");
        Assert.Single(builder.Services, d => d.ServiceType == typeof(IMemoryFabricClient));
    }

    [Fact]
    public void A_second_registration_is_refused_for_another_tenant_and_replaces_for_the_same()
    {
        var builder = new Builder();
        builder.AddMemoryFabric("acme");
        builder.AddMemoryFabric("acme", o => o.MaxBatchSize = 5);
        Assert.Single(builder.Services, d => d.ServiceType == typeof(IMemoryFabricClient));
        var e = Assert.Throws<InvalidOperationException>(() => builder.AddMemoryFabric("globex"));
        Assert.Contains("'acme'", e.Message, StringComparison.Ordinal);

        var http = new Builder();
        http.Services.AddMemoryFabricClient(o => o.ApiKey = "mfk_x");
        Assert.Throws<InvalidOperationException>(() => http.AddMemoryFabric("acme"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Acme")]
    [InlineData("acme/tom")]
    [InlineData("-acme")]
    [InlineData("acme_1")]
    public void An_invalid_tenant_is_refused_at_registration(string tenant)
    {
        var builder = new Builder();
        Assert.ThrowsAny<ArgumentException>(() => builder.AddMemoryFabric(tenant));
        Assert.Empty(builder.Services);
    }

    // The outgoing filter of Orleans' AddActivityPropagation (an internal type), which writes the trace context into
    // each call's request context.
    private static bool IsActivityPropagation(ServiceDescriptor descriptor) =>
        descriptor.ServiceType == typeof(IOutgoingGrainCallFilter)
        && descriptor.ImplementationType?.FullName == "Orleans.Runtime.ActivityPropagationOutgoingGrainCallFilter";

    private sealed class Builder : IClientBuilder, ISiloBuilder
    {
        public IServiceCollection Services { get; } = new ServiceCollection();

        public IConfiguration Configuration { get; } = new ConfigurationBuilder().Build();
    }
}
