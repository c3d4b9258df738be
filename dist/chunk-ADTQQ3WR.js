import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{$a as p,Ma as a,Na as b,Oa as c,Pa as d,Qa as e,Ra as f,Sa as g,Ta as h,Ua as i,Va as j,Wa as k,Xa as l,Ya as m,Za as n,_a as o,ab as q,bb as r,db as s}from"./chunk-I7UGZSYU.js";import"./chunk-DZWKGMWU.js";s();export{c as EventStreamCodec,m as EventStreamMarshaller,r as EventStreamSerde,b as HeaderMarshaller,a as Int64,d as MessageDecoderStream,e as MessageEncoderStream,f as SmithyMessageDecoderStream,g as SmithyMessageEncoderStream,k as UniversalEventStreamMarshaller,n as eventStreamSerdeProvider,h as getChunkedStream,j as getMessageUnmarshaller,i as getUnmarshalledStream,p as iterableToReadableStream,o as readableStreamToIterable,q as resolveEventStreamSerdeConfig,l as universalEventStreamSerdeProvider};
