/**
 * The seeded PRNG model training uses (weight initialisation reproducible from the seed recorded in the
 * model file): the project's one mulberry32, from core.
 */
export { mulberry32 } from "../../../core/random.js";
