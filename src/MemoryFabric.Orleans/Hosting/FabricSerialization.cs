using System.Reflection;
using MemoryFabric.Actors;
using MemoryFabric.Runtime;
using MemoryFabric.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
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
        typeof(AgentMemoryActor).Assembly,      // MemoryFabric.Actors
        typeof(ActorId).Assembly,               // MemoryFabric.Runtime.Abstractions
        typeof(VectorIndex.VectorShard).Assembly,
    ];

    /// <summary>Whether a type travels as JSON: a MemoryFabric type outside this assembly that is not an exception.</summary>
    /// <param name="type">The type.</param>
    /// <returns>Whether the JSON codec handles it.</returns>
    public static bool IsJsonType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Namespace is { } ns
            && ns.StartsWith("MemoryFabric", StringComparison.Ordinal)
            && !ns.StartsWith("MemoryFabric.Orleans", StringComparison.Ordinal)
            && !typeof(Exception).IsAssignableFrom(type);
    }

    /// <summary>Registers the fabric's serialization with a silo's or a client's services.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddMemoryFabricSerialization(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSerializer(serializer => serializer.AddJsonSerializer(IsJsonType, MemoryFabricJson.CreateOptions()));
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
}
