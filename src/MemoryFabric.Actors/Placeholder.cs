namespace MemoryFabric.Actors;
