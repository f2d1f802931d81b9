/** zod with the `.openapi()` extension, so request schemas are also the OpenAPI document's source. */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
