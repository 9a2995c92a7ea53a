package io.rotquant.plugin;

import io.rotquant.compiler.model.ComputeDType;
import io.rotquant.compiler.recipe.ParameterNames;
import io.rotquant.compiler.recipe.Recipe;
import io.rotquant.compiler.recipe.RecipeDefaults;
import io.rotquant.compiler.recipe.RecipeValues;
import java.io.File;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * The parameters of the goal that compiles: the model and the recipe (the names of the recipes
 * page, as {@code rotquant.*} user properties). Every default comes from RecipeParameter's table
 * (RecipeDefaults): a QuaRot W4A4KV4 model with GPTQ weights.
 */
abstract class AbstractRecipeMojo extends AbstractArtifactMojo {
    /**
     * The Hugging Face checkpoint directory (config.json, tokenizer.json, *.safetensors).
     * <pre>{@code <modelDirectory>${project.basedir}/src/main/models/stories260K</modelDirectory>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.modelDirectory", required = true)
    File modelDirectory;

    /**
     * R1: {@code none|hadamard|orthogonal|spinquant|duarot|dfrot}.
     * <pre>{@code <rotation>duarot</rotation>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.rotation", defaultValue = RecipeDefaults.ROTATION)
    String rotation;

    /**
     * DuaRot: {@code dual|global|local}. <pre>{@code <rotationVariant>dual</rotationVariant>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.rotationVariant", defaultValue = RecipeDefaults.ROTATION_VARIANT)
    String rotationVariant;

    /**
     * DuaRot: block size of the local rotation. <pre>{@code <localBlock>64</localBlock>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.localBlock", defaultValue = RecipeDefaults.LOCAL_BLOCK)
    Integer localBlock;

    /**
     * DuaRot: start of the trained factor, {@code hadamard|identity|orthogonal|dfrot}. <pre>{@code <init>hadamard</init>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.init", defaultValue = RecipeDefaults.INIT)
    String init;

    /**
     * DuaRot: online rotations {@code auto|wht|matmul}. <pre>{@code <online>auto</online>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.online", defaultValue = RecipeDefaults.ONLINE)
    String online;

    /**
     * DuaRot: largest online rotation trained as a matmul under {@code auto} (the default is the
     * runtime's measured WHT/matmul crossover).
     * <pre>{@code <onlineThreshold>64</onlineThreshold>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.onlineThreshold", defaultValue = RecipeDefaults.ONLINE_THRESHOLD)
    Integer onlineThreshold;

    /**
     * Seed of every random choice. <pre>{@code <seed>0</seed>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.seed", defaultValue = RecipeDefaults.SEED)
    Long seed;

    /**
     * Weight bits, 2..8, or 16 for unquantized. <pre>{@code <wBits>4</wBits>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.wBits", defaultValue = RecipeDefaults.W_BITS)
    Integer wBits;

    /**
     * Weight quantizer, {@code rtn|gptq}. <pre>{@code <wMethod>gptq</wMethod>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.wMethod", defaultValue = RecipeDefaults.W_METHOD)
    String wMethod;

    /**
     * Weight group size, 0 = per output channel. <pre>{@code <wGroup>128</wGroup>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.wGroup", defaultValue = RecipeDefaults.W_GROUP)
    Integer wGroup;

    /**
     * MSE clip search for weight scales. <pre>{@code <wClip>false</wClip>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.wClip", defaultValue = RecipeDefaults.W_CLIP)
    Boolean wClip;

    /**
     * Activation bits, 2..8 or 16. <pre>{@code <aBits>4</aBits>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.aBits", defaultValue = RecipeDefaults.A_BITS)
    Integer aBits;

    /**
     * Activation clip ratio in (0, 1]. <pre>{@code <aClip>0.9</aClip>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.aClip", defaultValue = RecipeDefaults.A_CLIP)
    Double aClip;

    /**
     * K/V cache bits, 2..8 or 16. <pre>{@code <kvBits>4</kvBits>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.kvBits", defaultValue = RecipeDefaults.KV_BITS)
    Integer kvBits;

    /**
     * K/V clip ratio in (0, 1]. <pre>{@code <kvClip>0.95</kvClip>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.kvClip", defaultValue = RecipeDefaults.KV_CLIP)
    Double kvClip;

    /**
     * Calibration text ({@code .txt}, or {@code .jsonl} with {@code "text"} members). Default: the embedded C4 sample.
     * <pre>{@code <calibration>src/main/calibration/c4.jsonl</calibration>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.calibration")
    File calibration;

    /**
     * Calibration windows. <pre>{@code <nsamples>128</nsamples>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.nsamples", defaultValue = RecipeDefaults.NSAMPLES)
    Integer nsamples;

    /**
     * Tokens per calibration and evaluation window, 0 = min(2048, the model's context).
     * <pre>{@code <seqlen>512</seqlen>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.seqlen", defaultValue = RecipeDefaults.SEQLEN)
    Integer seqlen;

    /**
     * GPTQ dampening, a fraction of the mean Hessian diagonal. <pre>{@code <gptqDamp>0.01</gptqDamp>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.gptqDamp", defaultValue = RecipeDefaults.GPTQ_DAMP)
    Double gptqDamp;

    /**
     * GPTQ: quantize columns by decreasing Hessian diagonal. <pre>{@code <gptqActOrder>true</gptqActOrder>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.gptqActOrder", defaultValue = RecipeDefaults.GPTQ_ACT_ORDER)
    boolean gptqActOrder;

    /**
     * GPTQ with groups: fix group scales before the sweep (required with act-order groups).
     * <pre>{@code <gptqStaticGroups>true</gptqStaticGroups>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.gptqStaticGroups", defaultValue = RecipeDefaults.GPTQ_STATIC_GROUPS)
    boolean gptqStaticGroups;

    /**
     * Learned rotations: training steps. <pre>{@code <iters>100</iters>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.iters", defaultValue = RecipeDefaults.ITERS)
    Integer iters;

    /**
     * Learned rotations: learning rate, cosine-scheduled. <pre>{@code <lr>1.5</lr>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.lr", defaultValue = RecipeDefaults.LR)
    Double lr;

    /**
     * Learned rotations: windows per step. <pre>{@code <trainBatch>8</trainBatch>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.trainBatch", defaultValue = RecipeDefaults.TRAIN_BATCH)
    Integer trainBatch;

    /**
     * Learned rotations (SpinQuant, DuaRot): what a training step holds, {@code all} (every layer's
     * rotated weights and their gradients, the fastest) or {@code layer} (one layer's at a time, its
     * forward run again in the backward; for a GPU too small for {@code all}).
     * <pre>{@code <trainMemory>layer</trainMemory>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.trainMemory", defaultValue = RecipeDefaults.TRAIN_MEMORY)
    String trainMemory;

    /**
     * Learned rotations (SpinQuant, DuaRot, DFRot): the file that keeps the learned matrices. When it
     * exists, the compile reads them instead of learning (they must have been learned under the same
     * settings for a model of the same shape, or the build fails naming the setting); when it does
     * not, the compile learns and writes them there. Kept under version control, it spares every
     * later build the training.
     * <pre>{@code <rotations>src/main/rotquant/duarot.safetensors</rotations>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.rotations")
    File rotations;

    /**
     * Learned rotations: tokens per training window, 0 = the seqlen window. <pre>{@code <trainSeqlen>512</trainSeqlen>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.trainSeqlen", defaultValue = RecipeDefaults.TRAIN_SEQLEN)
    Integer trainSeqlen;

    /**
     * DFRot: weight of massive-activation tokens. <pre>{@code <alpha>100</alpha>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.alpha", defaultValue = RecipeDefaults.ALPHA)
    Double alpha;

    /**
     * Compute dtype of the compiler, {@code fp32|bf16|tf32} (tf32: fp32 with GPTQ calibration on a
     * GPU's TF32 tensor cores, fp32 on the CPU). <pre>{@code <dtype>fp32</dtype>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.dtype", defaultValue = RecipeDefaults.DTYPE)
    String dtype;

    /**
     * Where the compiler runs, {@code cpu|cuda|cuda:N|auto}. With cuda or auto the
     * plugin puts LibTorch's GPU build on the forked compiler's classpath itself (resolved from the
     * repositories once); auto falls back to the CPU, with a line saying why, on a machine without
     * the NVIDIA driver and the CUDA 13 libraries.
     * <pre>{@code <device>auto</device>}</pre>
     * @since 0.1.0
     */
    @Parameter(property = "rotquant.device", defaultValue = RecipeDefaults.DEVICE)
    String device;


    /**
     * The recipe these parameters give, parsed and validated by the compiler's {@link RecipeValues}
     * (a bad value fails naming its parameter in the words of the caller's {@link ParameterNames}).
     */
    final Recipe recipe() {
        return RecipeValues.of(this).recipe();
    }

    /** The compute dtype, checked. */
    final ComputeDType computeType() {
        return ComputeDType.parse(dtype);
    }
}
