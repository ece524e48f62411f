using System.Reflection;
using MemoryFabric.Orleans.Agents;
using MemoryFabric.Orleans.Guard;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using Orleans.Serialization.Configuration;

namespace MemoryFabric.Orleans.Hosting;

/// <summary>How the fabric's calls cross silos: the request and response records of MemoryFabric (plain records
/// without Orleans attributes) travel as JSON with the HTTP API's conventions (<see cref="MemoryFabricJson"/>), through
/// Orleans' System.Text.Json codec; the fabric's exceptions keep their type (Orleans' exception codec, allowed by
/// namespace); the grain-storage records of this assembly use Orleans' generated codecs.</summary>
public static class FabricSerialization
{
    private static readonly Assembly[] FabricAssemblies =
    [
        typeof(MemoryFabricJson).Assembly,      // MemoryFabric.Abstractions
        typeof(AgentMemory).Assembly,           // MemoryFabric.Core
        typeof(AgentMemoryGrain).Assembly,      // MemoryFabric.Orleans
        typeof(VectorIndex.VectorShard).Assembly,
    ];

    /// <summary>Whether a type travels as JSON: a MemoryFabric type without an Orleans-generated codec
    /// (<see cref="GenerateSerializerAttribute"/>) that is not an exception.</summary>
    /// <param name="type">The type.</param>
    /// <returns>Whether the JSON codec handles it.</returns>
    public static bool IsJsonType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Namespace is { } ns
            && ns.StartsWith("MemoryFabric", StringComparison.Ordinal)
            && !type.IsDefined(typeof(GenerateSerializerAttribute), inherit: false)
            && !typeof(Exception).IsAssignableFrom(type);
    }

    /// <summary>Registers the fabric's serialization with a silo's or a client's services.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddMemoryFabricSerialization(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(IGeneralizedCopier) && d.ImplementationType == typeof(FabricRecordCopier)))
        {
            return services; // once per container (a silo that also registers a client, say)
        }

        // Serialized as JSON across silos, but never copied within one: the fabric's records are immutable by
        // contract, so a call inside a silo passes them by reference (a JSON round trip per call would cost more than
        // the call itself: every turn of an ingest and every hit of a search).
        services.AddSerializer(serializer => serializer.AddJsonSerializer(IsJsonType, _ => false, json => json.Configure(o => o.SerializerOptions = MemoryFabricJson.CreateOptions())));
        services.AddSingleton<IGeneralizedCopier, FabricRecordCopier>();
        services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("MemoryFabric"));
        services.Configure<TypeManifestOptions>(o =>
        {
            foreach (var assembly in FabricAssemblies)
            {
                o.AddAllowedAssembly(assembly);
            }
        });
        return services;
    }

    // Copies a fabric record by returning it: see AddMemoryFabricSerialization.
    private sealed class FabricRecordCopier : IGeneralizedCopier
    {
        public object? DeepCopy(object? input, CopyContext context) => input;

        public bool IsSupportedType(Type type) => IsJsonType(type);
    }
}
