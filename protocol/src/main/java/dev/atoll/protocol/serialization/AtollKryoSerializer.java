package dev.atoll.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import java.io.NotSerializableException;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JSerializer;

/**
 * Pekko serializer for every {@link dev.atoll.protocol.AtollSerializable}: Kryo 5 with the class ids of
 * {@link KryoRegistry} and registration required. The format is Kryo's {@code writeClassAndObject}, so
 * no Pekko manifest is needed; the serializer id is {@value #IDENTIFIER}.
 *
 * <p>Kryo instances are not thread-safe; a bounded {@link Pool} lends one per call.
 * Errors: writing an unregistered class throws {@link IllegalArgumentException}; bytes that cannot be
 * read throw {@link NotSerializableException} naming the failure, which makes a recovery fail loudly.
 */
public final class AtollKryoSerializer extends JSerializer {
    /** Pekko serializer identifier; never change it (it is stored with every journal row). */
    public static final int IDENTIFIER = 731_001;

    private final Pool<Kryo> pool;

    /** Constructor Pekko calls reflectively. */
    public AtollKryoSerializer(ExtendedActorSystem system) {
        this.pool = newPool(() -> ActorRefResolver.get(Adapter.toTyped(system)));
    }

    /** For tests and tools with no actor system: actor refs cannot be written. */
    public AtollKryoSerializer() {
        this.pool = newPool(() -> {
            throw new IllegalStateException("no actor system: ActorRef cannot be serialized here");
        });
    }

    private static Pool<Kryo> newPool(java.util.function.Supplier<ActorRefResolver> resolver) {
        ActorRefKryoSerializer refSerializer = new ActorRefKryoSerializer(new java.util.function.Supplier<>() {
            private volatile ActorRefResolver cached;

            @Override
            public ActorRefResolver get() {
                ActorRefResolver r = cached;
                if (r == null) {
                    r = resolver.get();
                    cached = r;
                }
                return r;
            }
        });
        return new Pool<>(true, false, 16) {
            @Override
            protected Kryo create() {
                Kryo kryo = new Kryo();
                kryo.addDefaultSerializer(ActorRef.class, refSerializer);
                KryoRegistry.configure(kryo);
                registerActorRefClasses(kryo, refSerializer);
                return kryo;
            }
        };
    }

    private static void registerActorRefClasses(Kryo kryo, ActorRefKryoSerializer refSerializer) {
        // Typed refs at runtime are adapters over classic refs; this is the only concrete class.
        kryo.register(org.apache.pekko.actor.typed.internal.adapter.ActorRefAdapter.class, refSerializer, 90);
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public boolean includeManifest() {
        return false;
    }

    @Override
    public byte[] toBinary(Object o) {
        Kryo kryo = pool.obtain();
        try (Output out = new Output(256, -1)) {
            kryo.writeClassAndObject(out, o);
            return out.toBytes();
        } catch (KryoException e) {
            throw new IllegalArgumentException("cannot serialize " + o.getClass().getName() + ": " + e.getMessage(), e);
        } finally {
            pool.free(kryo);
        }
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        Kryo kryo = pool.obtain();
        try (Input in = new Input(bytes)) {
            return kryo.readClassAndObject(in);
        } catch (KryoException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IllegalStateException(new NotSerializableException("cannot deserialize " + bytes.length
                    + " bytes with Atoll Kryo serializer " + IDENTIFIER + ": " + e.getMessage()));
        } finally {
            pool.free(kryo);
        }
    }
}
